// The zh-CN message catalogue: one object, composed of a section per page so that each page's words sit
// together. A section adds its top-level keys; two sections never share one.
import alerts from './alerts.ts';
import common from './common.ts';
import dashboard from './dashboard.ts';
import disclosure from './disclosure.ts';
import institution from './institution.ts';
import lists from './lists.ts';
import manifests from './manifests.ts';
import staff from './staff.ts';
import supervision from './supervision.ts';
import trail from './trail.ts';
import transit from './transit.ts';
import transport from './transport.ts';
import home from './home.ts';

export default { ...common, ...dashboard, ...trail, ...alerts, ...manifests, ...transit, ...transport, ...institution, ...supervision, ...disclosure, ...staff, ...home, ...lists };
