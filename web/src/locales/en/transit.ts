// transit messages (en), one section of the en catalogue (locales/en/index.ts).
import type zh from '../zh-CN/transit.ts';

export default {
  transit: {
    title: "Pickups and bags in transit",
    inTransit: "In transit",
    overdue: "Overdue (not received within 24 h)",
    recent: "Recent pickups",
    none: "None.",
    pickedUp: "Picked up",
  },
  map: {
    title: "Transit map",
    link: "Map of the transit",
    askFor: "Open the map from a bag or a manifest.",
    summary: "Vehicle {vehicle}, manifest {manifest}: {from} – {to}.",
    received: "Received at disposal.",
    notReceived: "Not received at disposal.",
    noFixes: "The vehicle sent no position for this leg.",
    aria: "Map of the track of vehicle {vehicle}",
    stop: "Stop",
    stopFor: "Stopped {minutes} min",
    start: "Start",
    end: "Last position",
    door: {
      open: "Cargo door opened",
      close: "Cargo door closed",
    },
    fence: {
      hospital: "Hospital",
      disposal: "Disposal centre",
      depot: "Depot",
    },
    legend: {
      track: "Track",
      route: "Registered route",
      fence: "Hospital, disposal centre or depot",
      door: "Door event",
      alert: "Alert",
    },
    events: "Stops, door events and alerts",
    event: "What",
    position: "Position",
    place: "Place",
    outside: "outside every geofence",
    noPosition: "no fix yet",
    noEvents: "No stops, door events or alerts on this leg.",
  },
} satisfies typeof zh;
