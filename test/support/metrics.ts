/** A scrape of the shim's /metrics, as Prometheus text. */
export const scrape = async (url: string) => (await fetch(`${url}/metrics`)).text();

/** The value of the sample whose name and labels start as `sample` does. */
export const sampleValue = (text: string, sample: string) => {
  const line = text.split("\n").find((l) => l.startsWith(sample));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
};

/** The names of the shim's own metrics a scrape shows (a histogram once, without its _bucket, _sum and _count). */
export const shimMetricNames = (text: string) => [...new Set([...text.matchAll(/^# TYPE (shim_\w+) /gm)].map(([, name]) => name!))].sort();
