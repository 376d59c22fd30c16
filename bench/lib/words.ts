// A synthetic chat vocabulary with a Zipf-like frequency distribution: real English function
// words and chat topics at the top ranks, then tens of thousands of made-up words for the tail.

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMMON = `the to and a of i you it is in that for we on this be have with not are was
 do can will just so but at what me if my they get all about there like out up from one
 know think no now your as or how when would its time good could see some make them our
 been more then yes need work here also any should today did well going still which back
 after only new sure first over look let use because thanks into why who way right want
 where much those got take next week ok again day before other people thing too down`.split(/\s+/).filter(Boolean);

const TOPICS = `deploy build release meeting customer server database ticket review merge branch
 staging production incident outage alert dashboard latency migration backup rollback
 budget invoice contract roadmap sprint standup retro design mockup feedback launch
 webinar partner vendor renewal quota forecast pipeline hiring onboarding laptop vpn
 password certificate firewall kubernetes cluster node container image registry cache
 queue worker cron report export import schema index query search timeout retry error
 warning crash memory disk network bandwidth router switch printer office travel
 lunch coffee holiday vacation birthday offsite agenda minutes slides demo prototype`.split(/\s+/).filter(Boolean);

const SYLLABLES = `ka ri to mu ne sa lo vi pe da zu fi ro ta me ku li so na be gu ha ji wo ye
 bra tri klo sne pra dru fla gri sto ple van dor mel tis kor lan bex quo zim ral`.split(/\s+/).filter(Boolean);

export interface Vocabulary {
  readonly words: readonly string[];
  /** Draws a word index with probability ∝ 1 / (rank + 1)^s. */
  draw(): number;
}

/** `size` words; frequency of rank r ∝ 1/(r+1)^s (s ≈ 1 is Zipf's law for natural text). */
export function vocabulary(size: number, random: () => number, s = 1.05): Vocabulary {
  const seen = new Set<string>([...COMMON, ...TOPICS]);
  const words = [...COMMON, ...TOPICS];
  while (words.length < size) {
    const n = 2 + Math.floor(random() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    if (!seen.has(w)) {
      seen.add(w);
      words.push(w);
    }
  }
  const cumulative = new Float64Array(size);
  let sum = 0;
  for (let r = 0; r < size; r++) cumulative[r] = sum += 1 / Math.pow(r + 1, s);
  return {
    words,
    draw: () => {
      const x = random() * sum;
      let lo = 0;
      let hi = size - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((cumulative[mid] as number) < x) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    },
  };
}
