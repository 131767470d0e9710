export type Role = 'customer' | 'staff' | 'admin';

/** What a request knows about its signed-in user. */
export interface CurrentUser {
  id: number;
  email: string;
  role: Role;
  firstName: string;
  lastName: string;
  emailVerified: boolean;
}
