// The transport leg's pages of the app (en): the manifest list's sort and openness, the transport
// company's and the disposal centre's homes. One section of the en catalogue (locales/en/index.ts).
import type zh from '../zh-CN/transport.ts';

export default {
  manifestList: {
    openTitle: "Open or closed",
    open: "Open",
    closed: "Closed",
    sortTitle: "Order",
    sort: {
      newest: "Newest first signature first",
      oldest: "Oldest first signature first",
      number: "By manifest number",
    },
  },
  transportHome: {
    nav: "Today",
    title: "Today's collection",
    more: "The first {shown} bags of {total}.",
  },
  disposalHome: {
    nav: "Arrivals",
    title: "Today's arrivals: what came, what is short",
    day: "Manifests received today ({day}), and bags picked up for this centre and not received yet.",
    received: "Manifests received today",
    refused: "Bags refused",
    discrepant: "Manifests with a discrepancy",
    short: "Weight short (kg)",
    expected: "Bags on the way",
    receivedTitle: "Manifests received today",
    shortColumn: "Short",
    refusedTitle: "Bags refused today",
    expectedTitle: "Bags picked up and not received yet",
  },
} satisfies typeof zh;
