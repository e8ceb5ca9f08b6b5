/** The part of SaxonJS 2 (no bundled types) that running compiled Schematron needs. */
declare module 'saxon-js' {
  interface TransformOptions {
    stylesheetFileName?: string;
    stylesheetInternal?: object;
    sourceText: string;
    destination: 'serialized';
  }
  interface TransformResult {
    principalResult: string;
  }
  const SaxonJS: {
    transform(options: TransformOptions, execution: 'sync'): TransformResult;
  };
  export default SaxonJS;
}
