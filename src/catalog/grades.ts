/** Condition grades, best first (SPEC §3): the one grade type of the codebase. */
export const GRADE_VALUES = ['A', 'B', 'C', 'D'] as const;
export type Grade = (typeof GRADE_VALUES)[number];

export function isGrade(v: unknown): v is Grade {
  return GRADE_VALUES.includes(v as Grade);
}

/** What each condition grade means, shown on the home page and product pages. */
export const GRADES: Record<Grade, { label: string; text: string }> = {
  A: { label: 'Like new', text: 'No visible marks at arm’s length. Battery (where fitted) holds at least 85% of its design capacity.' },
  B: { label: 'Excellent', text: 'Light signs of use such as faint scratches on the casing; screen free of marks. Battery at least 80%.' },
  C: { label: 'Good', text: 'Visible wear: scratches, small dents or worn keys. Fully tested and working; battery at least 70%.' },
  D: { label: 'Fair', text: 'Heavy cosmetic wear or a minor cosmetic defect described on the listing. Works perfectly; priced accordingly.' },
};

export const gradeExplanations = GRADE_VALUES.map((grade) => ({ grade, ...GRADES[grade] }));
