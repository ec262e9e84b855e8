// staff registry messages (en), one section of the en catalogue (locales/en/index.ts).
import type zh from '../zh-CN/staff.ts';

export default {
  staff: {
    title: 'Staff registry',
    intro: 'Badges and the people who carry them: handover records are signed with badges; the register and the trails show the names from here. A withdrawn badge is kept, so the records it signed still name the person.',
    institution: 'Institution',
    choose: 'Choose an institution',
    badge: 'Badge',
    name: 'Name',
    role: 'Role',
    active: 'State',
    activeYes: 'Active',
    activeNo: 'Withdrawn',
    updatedAt: 'Updated',
    filter: 'Filter by name or badge',
    none: 'Nobody registered yet',
    add: 'Register a person',
    edit: 'Edit',
    save: 'Save',
    cancel: 'Cancel',
    withdraw: 'Withdraw badge',
    reinstate: 'Reinstate',
    saved: 'Saved: {name} ({badge})',
    readOnly: 'Regulators may read it; each institution keeps its own.',
    roles: { staff: 'Ward staff', collector: 'Internal collector', keeper: 'Storage keeper', crew: 'Transport crew', operator: 'Disposal operator' },
    count: '{total} people, {active} active',
  },
} satisfies typeof zh;
