/**
 * The replay's cursor and settings as React state, with playback: while
 * playing, a tick every TICK_MS advances the cursor by the chosen stretch of
 * virtual time.
 */
import { useCallback, useEffect, useReducer } from 'react';
import { initialUi, reduceUi, TICK_MS, type Action, type ReplayUi, type UiContext } from './controller.ts';

export function useReplay(ctx: UiContext, start?: Partial<ReplayUi>): [ReplayUi, (a: Action) => void] {
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
  return [ui, useCallback((a: Action) => dispatch(a), [])];
}
