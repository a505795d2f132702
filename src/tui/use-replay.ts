/**
 * The replay's cursor and settings as React state, with playback: while
 * playing, a tick every TICK_MS advances the cursor by the chosen stretch of
 * virtual time.
 */
import { useCallback, useEffect, useReducer, useRef, type MutableRefObject } from 'react';
import { initialUi, reduceUi, TICK_MS, type Action, type ReplayUi, type UiContext } from './controller.ts';

/**
 * Returns the settings, a dispatch, and a ref to the settings of the latest
 * render: key handlers read the ref, because a handler registered by an
 * earlier render may still be the one that receives the next key.
 */
export function useReplay(ctx: UiContext, start?: Partial<ReplayUi>): [ReplayUi, (a: Action) => void, MutableRefObject<ReplayUi>] {
  const [ui, dispatch] = useReducer(
    (s: ReplayUi, a: Action) => reduceUi(s, a, ctx),
    undefined,
    () => ({ ...initialUi(), ...start }),
  );
  useEffect(() => {
    if (!ui.playing) return;
    const timer = setInterval(() => dispatch({ type: 'tick' }), TICK_MS);
    return () => clearInterval(timer);
  }, [ui.playing]);
  const latest = useRef(ui);
  latest.current = ui;
  return [ui, useCallback((a: Action) => dispatch(a), []), latest];
}
