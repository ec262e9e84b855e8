// The main navigation: which pages each role gets in its menu, in this order. A page's route decides
// who may open it (router.ts); this decides only what the menu offers.
import type { Me } from './api.ts';

export interface NavItem {
  to: string;
  /** Message key of the label. */
  label: string;
  shows: (me: Me) => boolean;
}

const role = (...roles: Me['user']['role'][]) => (me: Me) => roles.includes(me.user.role);

export const NAV: NavItem[] = [
  { to: '/dashboard', label: 'nav.dashboard', shows: role('regulator') },
  { to: '/trail', label: 'nav.trail', shows: (me) => me.can.seeBags },
  { to: '/transport', label: 'transportHome.nav', shows: role('transport') },
  { to: '/disposal', label: 'disposalHome.nav', shows: role('disposal') },
  { to: '/manifests', label: 'nav.manifests', shows: role('regulator', 'institution_admin', 'transport', 'disposal') },
  { to: '/crew', label: 'nav.crew', shows: role('transport') },
  { to: '/transit', label: 'nav.transit', shows: role('transport', 'disposal') },
  { to: '/staff', label: 'nav.staff', shows: role('regulator', 'institution_admin', 'transport', 'disposal') },
  { to: '/hospital', label: 'home.nav', shows: role('institution_admin') },
  { to: '/overview', label: 'nav.overview', shows: role('regulator', 'institution_admin', 'transport', 'disposal') },
  { to: '/overview', label: 'nav.publicToday', shows: role('public') },
  { to: '/supervision', label: 'nav.supervision', shows: role('regulator') },
  { to: '/alerts', label: 'nav.alerts', shows: (me) => me.can.seeAlerts },
  { to: '/bags', label: 'bagList.title', shows: (me) => me.can.seeBags },
  { to: '/devices', label: 'deviceList.title', shows: (me) => me.can.seeDevices },
  { to: '/disclosure', label: 'nav.disclosure', shows: () => true },
];
