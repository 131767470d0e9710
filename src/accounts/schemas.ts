import { z } from 'zod';
import { PASSWORD_MAX, passwordProblem } from './passwords';

/** Form bodies for the account pages (SPEC §7 field names). Password rules beyond length live in passwords.ts. */

const text = (max: number, required: string) => z.string({ error: required }).trim().min(1, required).max(max, `Use at most ${max} characters.`);
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `Use at most ${max} characters.`)
    .optional()
    .transform((v) => (v ? v : null));

export const Email = z
  .string({ error: 'Enter your e-mail address.' })
  .trim()
  .toLowerCase()
  .min(1, 'Enter your e-mail address.')
  .max(254, 'That e-mail address is too long.')
  .pipe(z.email('Enter a valid e-mail address, like name@example.com.'));

/** Any non-empty password (for log-in and "current password"); strength is checked separately. */
const AnyPassword = z.string({ error: 'Enter your password.' }).min(1, 'Enter your password.').max(PASSWORD_MAX * 4, 'That password is too long.');

/** A password being chosen: length, bytes and the common-password list (the service also rejects the e-mail itself). */
const NewPassword = z.string({ error: 'Choose a password.' }).superRefine((pw, ctx) => {
  const problem = passwordProblem(pw);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const RegisterInput = z.object({
  email: Email,
  password: NewPassword,
  first_name: text(100, 'Enter your first name.'),
  last_name: text(100, 'Enter your last name.'),
});
export type RegisterInput = z.infer<typeof RegisterInput>;

export const LoginInput = z.object({
  email: Email,
  password: AnyPassword,
  next: z.string().max(500).optional(),
});
export type LoginInput = z.infer<typeof LoginInput>;

export const ForgotInput = z.object({ email: Email });
export type ForgotInput = z.infer<typeof ForgotInput>;

/** The token comes from the link (checked before this form is); the form carries it along. */
export const ResetInput = z.object({
  token: z.string().max(200).optional(),
  password: NewPassword,
});
export type ResetInput = z.infer<typeof ResetInput>;

export const ProfileInput = z
  .object({
    first_name: text(100, 'Enter your first name.'),
    last_name: text(100, 'Enter your last name.'),
    phone: optionalText(40).refine((v) => v === null || /^[+()\d\s.-]{5,40}$/.test(v), 'Enter a phone number using digits, spaces, + ( ) - or .'),
    email: Email,
    current_password: z.string().max(PASSWORD_MAX * 4).optional(),
  })
  .strict();
export type ProfileInput = z.infer<typeof ProfileInput>;

export const PasswordChangeInput = z
  .object({
    current_password: z.string({ error: 'Enter your current password.' }).min(1, 'Enter your current password.').max(PASSWORD_MAX * 4),
    password: NewPassword,
  })
  .strict();
export type PasswordChangeInput = z.infer<typeof PasswordChangeInput>;

export const AddressInput = z
  .object({
    label: optionalText(60),
    first_name: text(100, 'Enter the first name.'),
    last_name: text(100, 'Enter the last name.'),
    line1: text(200, 'Enter the street address.'),
    line2: optionalText(200),
    city: text(100, 'Enter the city.'),
    region: text(100, 'Enter the state or region.'),
    postal_code: z
      .string({ error: 'Enter the postal code.' })
      .trim()
      .min(1, 'Enter the postal code.')
      .max(20, 'Use at most 20 characters.')
      .regex(/^[A-Za-z0-9][A-Za-z0-9 -]*$/, 'Use letters, digits, spaces or dashes.'),
    country: z
      .string({ error: 'Choose a country.' })
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{2}$/, 'Use the two-letter country code, like US.'),
    phone: optionalText(40).refine((v) => v === null || /^[+()\d\s.-]{5,40}$/.test(v), 'Enter a phone number using digits, spaces, + ( ) - or .'),
    is_default: z
      .enum(['on', '1', 'true'])
      .optional()
      .transform((v) => v !== undefined),
  })
  .strict();
export type AddressInput = z.infer<typeof AddressInput>;

export const AddressParams = z.object({ id: z.string().regex(/^\d{1,10}$/).transform(Number).pipe(z.number().int().positive().max(2_147_483_647)) });

/** GET /account/credit: which page of the ledger. */
export const CreditQuery = z.object({ page: z.coerce.number().int().min(1).max(10_000).catch(1) });
