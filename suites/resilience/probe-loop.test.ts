import { describe, expect, it } from 'vitest';
import { longestGap, type Sample } from './probe-loop.ts';

describe('longestGap', () => {
  it('is the time from the first unanswered probe to the next answered one', () => {
    const samples: Sample[] = [
      [0, 'ok'],
      [150, 'lost'],
      [300, 'no-probe'],
      [450, 'ok'],
      [600, 'lost'],
      [750, 'ok'],
    ];
    expect(longestGap(samples, 900)).toBe(300);
  });

  it('runs to the end when nothing was answered again, and is 0 when nothing was lost', () => {
    expect(
      longestGap(
        [
          [0, 'ok'],
          [150, 'lost'],
        ],
        1_000,
      ),
    ).toBe(850);
    expect(
      longestGap(
        [
          [0, 'ok'],
          [150, 'ok'],
        ],
        300,
      ),
    ).toBe(0);
  });
});
