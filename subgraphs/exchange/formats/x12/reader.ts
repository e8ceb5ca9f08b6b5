import type { Location } from '../business.ts';
import type { Finding } from '../types.ts';
import { AK3, AK4, error, warning } from './codes.ts';
import type { Segment } from './envelope.ts';
import { isDecimal, isoDate } from './values.ts';

/** A loop: the segment that opens it and the segments that follow up to the next opener. */
export interface Loop {
  head: Segment;
  body: Segment[];
}

/**
 * Reads the elements of one transaction set for a mapping, turning every problem into a finding that points at
 * the segment, its position and the element (AK3/AK4 codes), so a mapping reads as a list of what it needs.
 */
export class Reader {
  readonly findings: Finding[] = [];

  constructor(
    readonly segments: readonly Segment[],
    readonly componentSeparator: string,
  ) {}

  at(segment: Segment, element?: number, component?: number): Location {
    const location: Location = { segment: segment.tag, position: segment.position };
    if (element !== undefined) location.element = element;
    if (component !== undefined) location.component = component;
    return location;
  }

  first(tag: string, within: readonly Segment[] = this.segments): Segment | undefined {
    return within.find((segment) => segment.tag === tag);
  }

  all(tag: string, within: readonly Segment[] = this.segments): Segment[] {
    return within.filter((segment) => segment.tag === tag);
  }

  /** The first segment with this tag whose element `element` is one of `codes`. */
  qualified(
    tag: string,
    element: number,
    codes: readonly string[],
    within: readonly Segment[] = this.segments,
  ): Segment | undefined {
    for (const code of codes) {
      const found = within.find((segment) => segment.tag === tag && this.text(segment, element) === code);
      if (found) return found;
    }
    return undefined;
  }

  /** A segment the document cannot do without; `position` is where it was expected. */
  segment(tag: string, position: number, within: readonly Segment[] = this.segments): Segment | undefined {
    const found = this.first(tag, within);
    if (!found)
      this.findings.push(
        error('AK3', AK3.mandatoryMissing, `${tag} is required`, { segment: tag, position }),
      );
    return found;
  }

  /** The element's value, trimmed; undefined when empty or absent. */
  text(segment: Segment | undefined, element: number): string | undefined {
    const value = segment?.elements[element - 1]?.trim();
    return value ? value : undefined;
  }

  component(segment: Segment | undefined, element: number, component: number): string | undefined {
    const value = this.text(segment, element)?.split(this.componentSeparator)[component - 1]?.trim();
    return value ? value : undefined;
  }

  required(segment: Segment | undefined, element: number, what: string): string | undefined {
    if (!segment) return undefined;
    const value = this.text(segment, element);
    if (value === undefined)
      this.findings.push(
        error('AK4', AK4.mandatoryMissing, `${what} is required`, this.at(segment, element)),
      );
    return value;
  }

  date(segment: Segment | undefined, element: number, what: string, needed = false): string | undefined {
    if (!segment) return undefined;
    const value = needed ? this.required(segment, element, what) : this.text(segment, element);
    if (value === undefined) return undefined;
    const iso = isoDate(value);
    if (!iso)
      this.findings.push(
        error('AK4', AK4.invalidDate, `${what} must be a date CCYYMMDD`, this.at(segment, element), value),
      );
    return iso ?? undefined;
  }

  decimal(segment: Segment | undefined, element: number, what: string, needed = false): string | undefined {
    if (!segment) return undefined;
    const value = needed ? this.required(segment, element, what) : this.text(segment, element);
    if (value === undefined) return undefined;
    if (!isDecimal(value)) {
      this.findings.push(
        error(
          'AK4',
          AK4.invalidCharacter,
          `${what} must be a decimal number`,
          this.at(segment, element),
          value,
        ),
      );
      return undefined;
    }
    return value;
  }

  /** A positive whole number; `fallback` (with a warning naming it) when the element is empty. */
  lineNumber(segment: Segment, element: number, what: string, fallback: number, warn: boolean): number {
    const value = this.text(segment, element);
    if (value === undefined) {
      if (warn)
        this.findings.push(
          warning(
            'AK4',
            AK4.mandatoryMissing,
            `${what} is empty: the line's position ${fallback} is taken instead`,
            this.at(segment, element),
          ),
        );
      return fallback;
    }
    if (!/^\d{1,9}$/.test(value) || Number(value) === 0) {
      this.findings.push(
        error(
          'AK4',
          AK4.invalidCharacter,
          `${what} must be a line number (1, 2, ...)`,
          this.at(segment, element),
          value,
        ),
      );
      return fallback;
    }
    return Number(value);
  }

  code<T>(
    segment: Segment | undefined,
    element: number,
    what: string,
    codes: Readonly<Record<string, T>>,
  ): T | undefined {
    const value = this.required(segment, element, what);
    if (!segment || value === undefined) return undefined;
    const mapped = Object.hasOwn(codes, value) ? codes[value] : undefined;
    if (mapped === undefined)
      this.findings.push(
        error(
          'AK4',
          AK4.invalidCode,
          `${what} ${value} is not one of ${Object.keys(codes).join(', ')}`,
          this.at(segment, element),
          value,
        ),
      );
    return mapped;
  }

  /** Splits segments into loops opened by `opener`; what precedes the first opener is returned apart. */
  loops(
    opener: string,
    within: readonly Segment[],
    endAt: readonly string[] = [],
  ): { before: Segment[]; loops: Loop[]; after: Segment[] } {
    const before: Segment[] = [];
    const loops: Loop[] = [];
    const after: Segment[] = [];
    for (const segment of within) {
      if (after.length > 0 || endAt.includes(segment.tag)) after.push(segment);
      else if (segment.tag === opener) loops.push({ head: segment, body: [] });
      else if (loops.length > 0) loops[loops.length - 1]!.body.push(segment);
      else before.push(segment);
    }
    return { before, loops, after };
  }
}
