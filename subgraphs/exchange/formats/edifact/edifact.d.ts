/**
 * The part of the `edifact` package (tdecaluwe/node-edifact) the EDIFACT family uses: its streaming parser,
 * which applies the UNA delimiters, the release character and the character repertoire of the syntax level.
 * The package ships no types; this declares exactly what `syntax.ts` calls.
 */
declare module 'edifact/parser.js' {
  interface Delimiters {
    segmentTerminator: number;
    dataElementSeparator: number;
    componentDataSeparator: number;
    decimalMark: number;
    releaseCharacter: number;
  }

  export default class Parser {
    configure(config: Delimiters): void;
    /** UNOA, UNOB, UNOC, UNOY or UCS2; throws for any other level. */
    encoding(level: string): void;
    /** Throws an Error naming the offending character when the data breaks the syntax. */
    write(chunk: string): void;
    /** Throws when the last segment is incomplete. */
    end(): void;
    onopensegment(segment: string): void;
    onelement(): void;
    oncomponent(data: string): void;
    onclosesegment(): void;
  }
}

declare module 'edifact/reader.js' {
  interface Segment {
    name: string;
    elements: string[][];
  }

  /** The package's convenience reader: a whole interchange to an array of segments. */
  export default class Reader {
    constructor(options?: { autoDetectEncoding?: boolean });
    parse(document: string): Segment[];
  }
}
