// dashboard messages (en), one section of the en catalogue (locales/en/index.ts).
import type zh from '../zh-CN/dashboard.ts';

export default {
  dashboard: {
    title: 'City medical-waste dashboard',
    map: 'Jurisdiction map',
    mapNote: 'Institutions are placed in their district and coloured by open alerts',
    sealedToday: 'Sealed today (kg)',
    receivedToday: 'Of which received (kg)',
    openAlerts: 'Open alerts',
    byLevel: 'By level',
    byRule: 'By rule',
    rule: 'Rule',
    count: 'Count',
    noAlerts: 'No open alerts',
    institution: 'Institution',
    unplaced: 'Institutions not placed on the map: {names}',
    forbidden: 'Your role may not see the city dashboard.',
  },
  legend: { none: 'No alerts', warning: 'Warnings', critical: 'Critical alerts' },
} satisfies typeof zh;
