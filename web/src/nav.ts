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
  { to: '/alerts', label: 'nav.alerts', shows: (me) => me.can.seeAlerts },
  { to: '/bags', label: 'bagList.title', shows: (me) => me.can.seeBags },
  { to: '/devices', label: 'deviceList.title', shows: (me) => me.can.seeDevices },
  { to: '/disclosure', label: 'nav.disclosure', shows: () => true },
];
