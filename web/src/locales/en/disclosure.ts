// disclosure messages (en), one section of the en catalogue (locales/en/index.ts).
import type zh from '../zh-CN/disclosure.ts';

export default {
  disclosure: {
    title: "Public disclosure",
  },
  disc: {
    note: "Monthly aggregates per institution: no bags, people, devices or inspectors are named.",
    month: "Month",
    show: "Show month",
    monthHint: "YYYY-MM; empty: the current month.",
    monthTitle: "Institutions in {month}",
    generated: "Generated {at}",
    downloads: "Downloads",
    json: "Download JSON",
    csv: "Download CSV",
    none: "No institution to disclose.",
    kgSealed: "Sealed",
    kgDisposed: "Disposed",
    within48h: "Handed over within 48 h",
    violations: "Confirmed violations",
    chartLabel: "Bar chart: kg sealed and kg disposed per institution in {month}",
    legend: "Sealed: kg the institution sealed in the month. Disposed: kg of those bags confirmed disposed of. Handed over within 48 h: share of the sealed bags picked up by the transport company within 48 h of sealing. Risk class: A lowest to D highest.",
    drawsTitle: "Inspection draws (double random, one public)",
  },
} satisfies typeof zh;
