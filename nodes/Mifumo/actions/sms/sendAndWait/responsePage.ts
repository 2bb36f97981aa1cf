/**
 * The page behind the link in the question's SMS: plain HTML, no script and no external asset,
 * so that it works on a feature phone's browser and a 320-px screen. Everything it shows is escaped.
 */

/** An answer typed into the text box may be at most this many characters. */
export const MAX_ANSWER_LENGTH = 1000;

export type ResponseType = 'approval' | 'freeText';
export type ApprovalType = 'single' | 'double';

export interface QuestionPage {
	question: string;
	responseType: ResponseType;
	approvalType: ApprovalType;
	approveLabel: string;
	disapproveLabel: string;
}

export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

const STYLE =
	'body{font-family:sans-serif;font-size:1.1em;line-height:1.4;max-width:32em;margin:0 auto;padding:.8em;color:#111;background:#fff}' +
	'.question{white-space:pre-wrap;overflow-wrap:break-word;margin:0 0 1em}' +
	'form{margin:0 0 .6em}' +
	'button,textarea{font:inherit;width:100%;box-sizing:border-box}' +
	'button{padding:.6em;border:1px solid #555;border-radius:4px;background:#eee;color:#111}' +
	'.approve{background:#1a7f37;border-color:#1a7f37;color:#fff}' +
	'textarea{padding:.4em;margin:0 0 .6em}' +
	'.error{color:#a00;font-weight:bold}';

function page(title: string, body: string): string {
	return (
		'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
		'<meta name="viewport" content="width=device-width, initial-scale=1">' +
		`<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`
	);
}

/** The question and its buttons or text box. The forms post to the page's own (signed) address: no action attribute. */
export function questionPage(settings: QuestionPage, problem?: string): string {
	const parts = [`<p class="question">${escapeHtml(settings.question)}</p>`];
	if (problem) parts.push(`<p class="error">${escapeHtml(problem)}</p>`);
	if (settings.responseType === 'freeText') {
		parts.push(
			'<form method="post"><label for="text">Your answer</label>' +
				`<textarea id="text" name="text" rows="4" maxlength="${MAX_ANSWER_LENGTH}" required></textarea>` +
				'<button type="submit">Send</button></form>',
		);
	} else {
		parts.push(answerButton('true', settings.approveLabel, 'approve'));
		if (settings.approvalType === 'double') parts.push(answerButton('false', settings.disapproveLabel, 'decline'));
	}
	return page('Your answer, please', parts.join(''));
}

function answerButton(approved: 'true' | 'false', label: string, className: string): string {
	return (
		`<form method="post"><input type="hidden" name="approved" value="${approved}">` +
		`<button type="submit" class="${className}">${escapeHtml(label)}</button></form>`
	);
}

export function answerRecordedPage(): string {
	return page('Thank you', '<p><strong>Thank you.</strong> Your answer was recorded. You can close this page.</p>');
}

export function alreadyAnsweredPage(): string {
	return page('Already answered', '<p><strong>Already answered.</strong> This question has been answered; nothing was changed.</p>');
}

/** Headers of every page: no caching (the answer changes it), no referrer (the address carries the signature), nothing loaded from elsewhere. */
export const PAGE_HEADERS: Record<string, string> = {
	'Content-Type': 'text/html; charset=utf-8',
	'Cache-Control': 'no-store',
	'Referrer-Policy': 'no-referrer',
	'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
	'X-Content-Type-Options': 'nosniff',
};
