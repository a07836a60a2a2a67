// Made-up people for the demo district: Swedish names, places in Luleå and Piteå municipalities,
// birth years, membership, and phone numbers drawn at random (never to be dialled: the demo's
// campaigns run on the simulated line). Drawn from a seeded generator, so every demo is the same.

/** A small seeded generator (mulberry32): the same demo at every start. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** 0 ≤ x < 1. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** A whole number from `min` to `max`, both included. */
  between(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  /** One of the items, each with its weight. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((sum, [, weight]) => sum + weight, 0);
    let x = this.next() * total;
    for (const [item, weight] of items) {
      x -= weight;
      if (x < 0) return item;
    }
    return (items[items.length - 1] as readonly [T, number])[0];
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }
}

const WOMEN = [
  'Anna', 'Maria', 'Karin', 'Eva', 'Kristina', 'Lena', 'Sara', 'Emma', 'Ingrid', 'Elin', 'Linnea', 'Johanna', 'Malin', 'Ida',
  'Hanna', 'Birgitta', 'Marie', 'Ulla', 'Susanne', 'Annika', 'Camilla', 'Sofia', 'Elsa', 'Maja', 'Agnes', 'Astrid', 'Gunilla',
  'Britt', 'Margareta', 'Helena', 'Frida', 'Moa', 'Ebba', 'Tove', 'Jenny', 'Therese', 'Sanna', 'Fatima', 'Amina', 'Leila', 'Aino',
];
const MEN = [
  'Erik', 'Lars', 'Karl', 'Anders', 'Johan', 'Per', 'Mikael', 'Nils', 'Jan', 'Peter', 'Thomas', 'Daniel', 'Fredrik', 'Magnus',
  'Jonas', 'Mattias', 'Stefan', 'Göran', 'Bengt', 'Sven', 'Olof', 'Gunnar', 'Björn', 'Henrik', 'Oskar', 'Viktor', 'Emil', 'Axel',
  'Hampus', 'Linus', 'Kent', 'Roger', 'Tommy', 'Åke', 'Rolf', 'Ulf', 'Mohammed', 'Ali', 'Ahmed', 'Juha', 'Pekka', 'Niklas',
];
const SURNAMES = [
  'Lindqvist', 'Nilsson', 'Lundberg', 'Öberg', 'Marklund', 'Nordström', 'Lundström', 'Granström', 'Isaksson', 'Sandström',
  'Burman', 'Hedman', 'Wikström', 'Lindgren', 'Johansson', 'Andersson', 'Karlsson', 'Eriksson', 'Persson', 'Olsson', 'Larsson',
  'Nyström', 'Berglund', 'Holmgren', 'Sundström', 'Strömberg', 'Lindberg', 'Forsberg', 'Backman', 'Nordin', 'Öhman', 'Lundgren',
  'Sjöberg', 'Engström', 'Stenlund', 'Lidström', 'Wiklund', 'Åström', 'Holmström', 'Bergström', 'Lindbäck', 'Nordlund',
  'Bäckström', 'Lejon', 'Rönnbäck', 'Brännström', 'Sundqvist', 'Nyberg', 'Lindmark', 'Boman', 'Ahmed', 'Hussein', 'Nieminen',
  'Koivisto', 'Hietala', 'Tapio', 'Lehto',
];

/** Localities of the two municipalities, with their postcodes' first three digits and how many live there (a weight). */
export const PLACES = {
  Luleå: [
    ['Luleå', '972', 10],
    ['Luleå', '973', 8],
    ['Luleå', '974', 6],
    ['Luleå', '975', 6],
    ['Gammelstad', '954', 3],
    ['Sunderbyn', '954', 2],
    ['Södra Sunderbyn', '954', 1],
    ['Råneå', '955', 2],
    ['Persön', '975', 1],
    ['Antnäs', '954', 1],
  ],
  Piteå: [
    ['Piteå', '941', 10],
    ['Piteå', '943', 4],
    ['Öjebyn', '943', 4],
    ['Norrfjärden', '945', 3],
    ['Hortlax', '944', 2],
    ['Rosvik', '945', 2],
    ['Roknäs', '946', 1],
    ['Jävre', '945', 1],
  ],
} as const satisfies Record<string, readonly (readonly [string, string, number])[]>;
export type Municipality = keyof typeof PLACES;

export interface DemoPerson {
  firstName: string;
  lastName: string;
  mobile: string;
  postcode: string;
  place: string;
  municipality: Municipality;
  born: number;
  member: boolean;
}

/** Draws phone numbers that never repeat within the demo. */
export class Numbers {
  private readonly used = new Set<string>();
  constructor(private readonly random: Random) {}
  /** A Swedish mobile number as people write it: 070-123 45 67. */
  mobile(): string {
    for (;;) {
      const prefix = this.random.pick(['070', '072', '073', '076', '079']);
      const rest = String(this.random.between(0, 9_999_999)).padStart(7, '0');
      const number = `${prefix}${rest}`;
      if (this.used.has(number)) continue;
      this.used.add(number);
      return `${prefix}-${rest.slice(0, 3)} ${rest.slice(3, 5)} ${rest.slice(5)}`;
    }
  }
}

export function name(random: Random): { firstName: string; lastName: string } {
  return { firstName: random.pick(random.chance(0.5) ? WOMEN : MEN), lastName: random.pick(SURNAMES) };
}

export function person(random: Random, numbers: Numbers, municipality: Municipality, memberShare: number): DemoPerson {
  const [place, postArea] = random.weighted(PLACES[municipality].map(([place, area, weight]) => [[place, area] as const, weight] as const));
  return {
    ...name(random),
    mobile: numbers.mobile(),
    postcode: `${postArea} ${String(random.between(30, 99))}`,
    place,
    municipality,
    // Ages as a petition's signers have them: fewer young people, most between 35 and 80.
    born: random.weighted([
      [random.between(1940, 1955), 3],
      [random.between(1956, 1970), 4],
      [random.between(1971, 1985), 4],
      [random.between(1986, 2000), 3],
      [random.between(2001, 2007), 1],
    ]),
    member: random.chance(memberShare),
  };
}

/** A CSV as a Swedish Excel saves it (semicolons, CRLF), with the given header and rows. */
export function csv(header: string[], rows: string[][]): string {
  const cell = (value: string) => (/[;"\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  return [header, ...rows].map((row) => row.map(cell).join(';')).join('\r\n') + '\r\n';
}
