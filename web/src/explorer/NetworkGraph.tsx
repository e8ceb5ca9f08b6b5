import { useEffect, useRef } from 'react';
import type Graph from 'graphology';
import Sigma from 'sigma';
import { AFFECTED_COLOUR, DIM_COLOUR, FOCUS_COLOUR } from './layout.ts';

/**
 * The graph drawn with sigma (WebGL), fit for thousands of companies. Highlighted companies keep their
 * colour (affected ones turn red), the rest dim. Clicking a company focuses it.
 */
export function NetworkGraph({
  graph,
  focusId,
  affected,
  alerted,
  onSelect,
  onRendered,
}: {
  graph: Graph;
  focusId: string;
  affected: ReadonlySet<string>;
  alerted: ReadonlySet<string>;
  onSelect: (id: string) => void;
  onRendered?: () => void;
}) {
  const container = useRef<HTMLDivElement>(null);
  const sigma = useRef<Sigma | null>(null);
  const state = useRef({ affected, alerted, focusId });
  state.current = { affected, alerted, focusId };
  const select = useRef(onSelect);
  select.current = onSelect;

  useEffect(() => {
    if (!container.current) return;
    const renderer = new Sigma(graph, container.current, {
      nodeReducer: (node, data) => {
        const { affected: hit, alerted: alert, focusId: focus } = state.current;
        if (alert.has(node)) return { ...data, color: AFFECTED_COLOUR, highlighted: true };
        if (hit.size === 0) return data;
        if (node === focus) return { ...data, color: FOCUS_COLOUR };
        return hit.has(node)
          ? { ...data, color: AFFECTED_COLOUR, highlighted: true }
          : { ...data, color: DIM_COLOUR };
      },
      edgeReducer: (edge, data) => {
        const { affected: hit } = state.current;
        if (hit.size === 0) return data;
        const [source, target] = graph.extremities(edge);
        const on = (hit.has(source) || source === state.current.focusId) && hit.has(target);
        return on ? { ...data, color: AFFECTED_COLOUR } : { ...data, color: '#e3e6ea' };
      },
    });
    renderer.on('clickNode', ({ node }) => select.current(node));
    renderer.once('afterRender', () => {
      // Read by bench:web: the moment the first frame of this graph is on screen.
      performance.mark('explorer:graph-rendered', { detail: { companies: graph.order } });
      onRendered?.();
    });
    sigma.current = renderer;
    return () => {
      renderer.kill();
      sigma.current = null;
    };
    // onRendered is read once per graph on purpose.
  }, [graph]);

  useEffect(() => {
    sigma.current?.refresh();
  }, [affected, alerted, focusId]);

  return (
    <div
      ref={container}
      className="graph"
      role="img"
      aria-label={`Supply network graph: ${graph.order} companies, ${graph.size} supply links. The tables below list the same companies.`}
      data-companies={graph.order}
      data-highlighted={[...affected].filter((id) => graph.hasNode(id)).length}
    />
  );
}
