import type { ConditionGrade } from './repo';

/** What each condition grade means, shown on the home page and product pages. */
export const GRADES: Record<ConditionGrade, { label: string; text: string }> = {
  A: { label: 'Like new', text: 'No visible marks at arm’s length. Battery (where fitted) holds at least 85% of its design capacity.' },
  B: { label: 'Excellent', text: 'Light signs of use such as faint scratches on the casing; screen free of marks. Battery at least 80%.' },
  C: { label: 'Good', text: 'Visible wear: scratches, small dents or worn keys. Fully tested and working; battery at least 70%.' },
  D: { label: 'Fair', text: 'Heavy cosmetic wear or a minor cosmetic defect described on the listing. Works perfectly; priced accordingly.' },
};

export const gradeExplanations = (Object.keys(GRADES) as ConditionGrade[]).map((grade) => ({ grade, ...GRADES[grade] }));
