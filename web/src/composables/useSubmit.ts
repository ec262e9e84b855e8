// Sending a form: busy while the API answers (the button is disabled), and the API's refusal as a
// sentence in the current language (or a check the page made before sending).
import { ref } from 'vue';
import { ApiFailure } from '../api.ts';
import { errorText } from '../i18n.ts';

export function useSubmit() {
  const busy = ref(false);
  const problem = ref('');
  return {
    busy,
    /** The sentence shown under the form; '' for none. */
    problem,
    /** Refuses before sending: shows the sentence for `code`. */
    refuse: (code: string) => {
      problem.value = errorText(code);
    },
    /** Runs `send`; whatever it throws is shown. Returns whether it went through. */
    async send(send: () => Promise<unknown>): Promise<boolean> {
      busy.value = true;
      problem.value = '';
      try {
        await send();
        return true;
      } catch (e) {
        problem.value = errorText(e instanceof ApiFailure ? e.code : 'NETWORK');
        return false;
      } finally {
        busy.value = false;
      }
    },
  };
}
