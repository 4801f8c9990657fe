// "Copied" feedback shared by the copy components: copies a value and says so for two seconds.
import { copyText } from './clipboard';

export function copiedFeedback() {
	let copied = $state(false);
	let timer: ReturnType<typeof setTimeout> | undefined;
	return {
		get copied() {
			return copied;
		},
		async copy(value: string) {
			await copyText(value);
			copied = true;
			clearTimeout(timer);
			timer = setTimeout(() => (copied = false), 2000);
		}
	};
}
