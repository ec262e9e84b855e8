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
  { path: '/staff', name: 'staff', component: () => import('./pages/StaffPage.vue'), meta: { roles: ['regulator', 'institution_admin', 'transport', 'disposal'] } },
  { path: '/manifests', name: 'manifests', component: () => import('./pages/ManifestListPage.vue'), meta: { roles: ['regulator', 'institution_admin', 'transport', 'disposal'] } },
  { path: '/manifest/:manifest', name: 'manifest', component: () => import('./pages/ManifestPage.vue'), meta: { roles: ['regulator', 'institution_admin', 'transport', 'disposal'] } },
  { path: '/crew', name: 'crew', component: () => import('./pages/CrewTodayPage.vue'), meta: { roles: ['transport'] } },
  { path: '/transit', name: 'transit', component: () => import('./pages/TransitPage.vue'), meta: { roles: ['transport', 'disposal'] } },
  { path: '/transit-map', name: 'transit-map', component: () => import('./pages/TransitMapPage.vue'), meta: { roles: ['regulator', 'institution_admin', 'transport', 'disposal'] } },
  { path: '/transport', name: 'transport-home', component: () => import('./pages/TransportHomePage.vue'), meta: { roles: ['transport'] } },
  { path: '/disposal', name: 'disposal-home', component: () => import('./pages/DisposalHomePage.vue'), meta: { roles: ['disposal'] } },
  { path: '/trail', name: 'trail', component: () => import('./pages/TrailPage.vue'), meta: { roles: ['regulator', 'institution_admin', 'transport', 'disposal'] } },
  { path: '/overview', name: 'overview', component: () => import('./pages/OverviewPage.vue') },
  { path: '/institution/:id', name: 'institution', component: () => import('./pages/InstitutionPage.vue') },
  { path: '/hospital', name: 'hospital', component: () => import('./pages/HospitalHomePage.vue'), meta: { roles: ['institution_admin'] } },
  { path: '/disclosure', name: 'disclosure', component: () => import('./pages/DisclosurePage.vue'), meta: { open: true } },
  { path: '/supervision', name: 'supervision', component: () => import('./pages/supervision/ClassesPage.vue'), meta: { roles: ['regulator'] } },
  { path: '/supervision/draws', name: 'draws', component: () => import('./pages/supervision/DrawsPage.vue'), meta: { roles: ['regulator'] } },
  { path: '/supervision/draws/:id(\\d+)', name: 'draw', component: () => import('./pages/supervision/DrawPage.vue'), meta: { roles: ['regulator'] } },
  { path: '/supervision/inspectors', name: 'inspectors', component: () => import('./pages/supervision/InspectorsPage.vue'), meta: { roles: ['regulator'] } },
  { path: '/supervision/inspections', name: 'inspections', component: () => import('./pages/supervision/InspectionsPage.vue'), meta: { roles: ['regulator'] } },
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
