/** Summary statistics of an in-degree (or any integer) list. */
export interface DegreeStats {
  mean: number;
  sd: number;
  min: number;
  max: number;
}

export function degreeStats(values: ArrayLike<number>): DegreeStats {
  const n = values.length;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    sum += values[i];
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
  }
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i] - mean) ** 2;
  return { mean, sd: Math.sqrt(squares / Math.max(1, n - 1)), min, max };
}
