/** A promise that something is held on (a fake v2's scripted answer, a slow log), and what lets it go: the test decides when. */
export function hold(): { released: Promise<void>; release: () => void } {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { released, release };
}
