// Line icons drawn on a 24×24 grid (stroke, no fill), one list of path data per name. Kept in code so
// nothing is fetched: the CSP allows no remote images or fonts.

const circle = (cx: number, cy: number, r: number): string => `M${cx - r} ${cy}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0`;

export const ICON_PATHS = {
  key: [circle(7.5, 15.5, 4.5), 'M10.7 12.3 20 3', 'M16 7l3 3', 'M18 5l2 2'],
  timeline: ['M4 5h16a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1z', 'M3 9.5h18', 'M8 3v4', 'M16 3v4', 'M7 13.5h6', 'M10 17h7'],
  bell: ['M6 9a6 6 0 0 1 12 0c0 6 2.5 8 2.5 8h-17S6 15 6 9', 'M10.3 20.5a2 2 0 0 0 3.4 0'],
  audit: ['M10 6h10', 'M10 12h10', 'M10 18h10', 'M4 6l1.2 1.2L7.5 5', 'M4 12l1.2 1.2 2.3-2.2', 'M4 18l1.2 1.2 2.3-2.2'],
  settings: ['M5 21v-7', 'M5 10V3', 'M12 21v-9', 'M12 8V3', 'M19 21v-5', 'M19 12V3', 'M2.5 14h5', 'M9.5 8h5', 'M16.5 16h5'],
  captures: ['M3 12h4l3-8 4 16 3-8h4'],
  workbench: ['M14.7 6.3a4 4 0 0 0-5.4 5.4L3.5 17.5v3h3l5.8-5.8a4 4 0 0 0 5.4-5.4l-2.6 2.6-2.4-2.4z'],
  lock: ['M6 11h12a1 1 0 0 1 1 1v8a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1v-8a1 1 0 0 1 1-1z', 'M8 11V7a4 4 0 0 1 8 0v4'],
  plus: ['M12 5v14', 'M5 12h14'],
  upload: ['M4 16v4h16v-4', 'M12 4v11', 'M7.5 8.5 12 4l4.5 4.5'],
  download: ['M4 16v4h16v-4', 'M12 4v11', 'M7.5 10.5 12 15l4.5-4.5'],
  copy: ['M10 9h9a1 1 0 0 1 1 1v9a1 1 0 0 1-1 1h-9a1 1 0 0 1-1-1v-9a1 1 0 0 1 1-1z', 'M5 15H4.5A1.5 1.5 0 0 1 3 13.5v-9A1.5 1.5 0 0 1 4.5 3h9A1.5 1.5 0 0 1 15 4.5V5'],
  check: ['M5 12.5l4.5 4.5L19 7.5'],
  x: ['M6 6l12 12', 'M18 6 6 18'],
  alert: ['M12 3.5 21.5 20h-19z', 'M12 10v4.5', 'M12 17.2v.3'],
  shield: ['M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z', 'M8.5 12l2.5 2.5 4.5-5'],
  shieldBroken: ['M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z', 'M12 8v5', 'M12 15.8v.4'],
  search: [circle(11, 11, 6.5), 'M20 20l-4.2-4.2'],
  certificate: ['M14 3H6a1.5 1.5 0 0 0-1.5 1.5v15A1.5 1.5 0 0 0 6 21h12a1.5 1.5 0 0 0 1.5-1.5V8.5z', 'M14 3v5.5h5.5', 'M8 13h8', 'M8 17h5'],
  trash: ['M4 7h16', 'M9.5 7V4h5v3', 'M6 7l1 13h10l1-13'],
  ban: [circle(12, 12, 8.5), 'M6 6l12 12'],
  clock: [circle(12, 12, 8.5), 'M12 7.5V12l3 2'],
  power: ['M12 3v8', 'M7 6.3a7.5 7.5 0 1 0 10 0'],
  file: ['M14 3H6a1.5 1.5 0 0 0-1.5 1.5v15A1.5 1.5 0 0 0 6 21h12a1.5 1.5 0 0 0 1.5-1.5V8.5z', 'M14 3v5.5h5.5'],
  close: ['M6 6l12 12', 'M18 6 6 18'],
  signet: ['M12 2.5 20 7v10l-8 4.5L4 17V7z', circle(12, 12, 3)],
} satisfies Record<string, string[]>;

export type IconName = keyof typeof ICON_PATHS;
