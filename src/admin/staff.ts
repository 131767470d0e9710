import type { Router } from 'express';
import type { AppContext } from '../app';
import { requireRole } from '../http/auth';
import { setFlash } from '../http/flash';
import { formPage, validate } from '../http/validate';
import { staffContext } from './context';
import { RoleInput } from './schemas';

/** /admin/staff (admins only): who has staff or admin rights; granting and taking them away. */
export function staffRoutes(router: Router, ctx: AppContext): void {
  const { accounts } = ctx;
  router.use('/staff', requireRole('admin'));

  const page = formPage({
    view: 'admin/staff',
    keep: ['email', 'role'],
    showRefusals: true,
    locals: async () => ({ title: 'Staff', noindex: true, staff: await accounts.listStaff() }),
  });
  router.get('/staff', (req, res) => page.render(req, res));

  const role = validate({ body: RoleInput }, { form: page });
  router.post('/staff', role, page.submit(async (req, res) => {
    const { email, role: newRole } = role.body(req);
    await accounts.setRole(email, newRole, staffContext(req));
    setFlash(res, 'success', newRole === 'customer' ? `${email} no longer has staff rights.` : `${email} is now ${newRole === 'admin' ? 'an admin' : 'staff'}; the new rights apply at their next log-in.`);
    res.redirect(303, '/admin/staff');
  }));
}
