/** The district wall's ranking rule, free of Vue so vitest can check it. */

export interface RankedStreet {
  name: string;
  openCases: number;
  overdueCases: number;
}

/** The overdue share of a street's open cases, 0 when it has none. */
export function overdueShare(street: RankedStreet): number {
  return street.openCases ? street.overdueCases / street.openCases : 0;
}

/** Streets worst first: most overdue cases, then the larger overdue share, then the most
 * open cases, then by name. */
export function rankStreets<T extends RankedStreet>(streets: readonly T[]): T[] {
  return [...streets].sort(
    (a, b) =>
      b.overdueCases - a.overdueCases ||
      overdueShare(b) - overdueShare(a) ||
      b.openCases - a.openCases ||
      a.name.localeCompare(b.name, "zh-CN"),
  );
}
