// Loading a page's data: the states every page shows the same way (loading, refused by the API,
// failed, ready), and a reload for refreshes and retries.
import { ref, shallowRef, type Ref, type ShallowRef } from 'vue';
import { ApiFailure } from '../api.ts';

export type LoadState = 'loading' | 'ready' | 'refused' | 'failed';

export interface Loaded<T> {
  state: Ref<LoadState>;
  data: ShallowRef<T | undefined>;
  /** The API's error code when refused or failed (NETWORK when the server could not be reached). */
  code: Ref<string>;
  message: Ref<string>;
  reload: () => Promise<void>;
}

export function useLoad<T>(load: () => Promise<T>): Loaded<T> {
  const state = ref<LoadState>('loading');
  const data = shallowRef<T>();
  const code = ref('');
  const message = ref('');
  let generation = 0;
  async function reload(): Promise<void> {
    const mine = ++generation;
    try {
      const value = await load();
      if (mine !== generation) return; // a newer load (other filters) won
      data.value = value;
      state.value = 'ready';
    } catch (e) {
      if (mine !== generation) return;
      const failure = e instanceof ApiFailure ? e : null;
      code.value = failure?.code ?? 'NETWORK';
      message.value = e instanceof Error ? e.message : String(e);
      state.value = failure && (failure.status === 403 || failure.status === 401) ? 'refused' : 'failed';
    }
  }
  return { state, data, code, message, reload };
}
