// The app's pages, one route each, in the URL fragment (#/trail?q=...) so that every page, with its
// filters and paging, has a link that can be bookmarked or shared. A route's `roles` says who may open
// it; the API still decides what each sees. Pages load on first use.
import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import type { Role } from './api.ts';
import { homeOf, loadSession, session } from './session.ts';

declare module 'vue-router' {
  interface RouteMeta {
    /** Open without login (the public disclosure, the login page). */
    open?: boolean;
    /** The roles that may open the page; others see a refusal. Unset: every logged-in role. */
    roles?: Role[];
  }
}

export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', redirect: () => homeOf(session.me) },
  { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { open: true } },
  { path: '/dashboard', name: 'dashboard', component: () => import('./pages/DashboardPage.vue'), meta: { roles: ['regulator'] } },
  { path: '/alerts', name: 'alerts', component: () => import('./pages/AlertsPage.vue'), meta: { roles: ['regulator', 'institution_admin', 'transport', 'disposal'] } },
  { path: '/alert/:id', name: 'alert', component: () => import('./pages/AlertPage.vue'), meta: { roles: ['regulator', 'institution_admin', 'transport', 'disposal'] } },
  { path: '/bags', name: 'bags', component: () => import('./pages/BagsPage.vue'), meta: { roles: ['regulator', 'institution_admin', 'transport', 'disposal'] } },
  { path: '/devices', name: 'devices', component: () => import('./pages/DevicesPage.vue'), meta: { roles: ['regulator', 'institution_admin', 'transport', 'disposal'] } },
  { path: '/:unknown(.*)*', name: 'not-found', component: () => import('./pages/NotFoundPage.vue'), meta: { open: true } },
];

export const router = createRouter({ history: createWebHashHistory(), routes });

router.beforeEach(async (to) => {
  if (!session.checked) await loadSession().catch(() => null);
  if (to.meta.open || session.me) return true;
  return { name: 'login', query: { next: to.fullPath } };
});

/** Whether the logged-in user's role may open the route (the frame shows a refusal otherwise). */
export const mayOpen = (roles: Role[] | undefined): boolean => !roles || (session.me !== null && roles.includes(session.me.user.role));
