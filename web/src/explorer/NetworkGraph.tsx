import { useEffect, useRef } from 'react';
import type Graph from 'graphology';
import Sigma from 'sigma';
import { AFFECTED_COLOUR, DIM_COLOUR, FOCUS_COLOUR } from './layout.ts';

const SMALL_NETWORK = 100;

/**
 * The graph drawn with sigma (WebGL), fit for thousands of companies. Highlighted companies keep their
 * colour (affected ones turn red), the rest dim. Clicking a company chooses it, to expand a tier from it
 * or focus it.
 */
export function NetworkGraph({
  graph,
  focusId,
  selectedId,
  affected,
  alerted,
  onSelect,
  onRendered,
}: {
  graph: Graph;
  focusId: string;
  /** The company chosen for "expand a tier": drawn highlighted, with its label. */
  selectedId?: string | undefined;
  affected: ReadonlySet<string>;
  alerted: ReadonlySet<string>;
  onSelect: (id: string) => void;
  onRendered?: () => void;
}) {
  const container = useRef<HTMLDivElement>(null);
  const sigma = useRef<Sigma | null>(null);
  const state = useRef({ affected, alerted, focusId, selectedId });
  state.current = { affected, alerted, focusId, selectedId };
  const select = useRef(onSelect);
  select.current = onSelect;

  useEffect(() => {
    if (!container.current) return;
    const renderer = new Sigma(graph, container.current, {
      // While the camera moves, draw the companies only: edges and labels are most of a frame's work
      // with thousands of companies (a frame redraws every edge), and they return when the move ends.
      settings: {
        hideEdgesOnMove: true,
        hideLabelsOnMove: true,
        // The outermost tier's names are inside the frame, not cut at its edge.
        autoRescaleContent: 'labels',
        // A small network shows every name; a large one one per cell of the label grid, or it is unreadable.
        labelDensity: graph.order <= SMALL_NETWORK ? Infinity : 1,
      },
      nodeReducer: (node, data) => {
        const { affected: hit, alerted: alert, focusId: focus, selectedId: chosen } = state.current;
        if (node === chosen) return { ...data, highlighted: true, forceLabel: true };
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
  }, [affected, alerted, focusId, selectedId]);

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
