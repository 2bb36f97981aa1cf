'use strict';
/**
 * Answers only Mifumo's own server gives (its public Django source): the HTML page of a path it
 * does not serve, and the JWT authenticator's refusal of every Bearer API key (as shipped).
 */
const { fail } = require('./answers');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const escapeHtml = (text) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

function djangoNotFound(path) {
	const body = `<!doctype html>
<html lang="en">
<head>
  <title>Not Found</title>
</head>
<body>
  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>
  <!-- ${escapeHtml(path)} -->
</body>
</html>
`;
	return { status: 404, body, headers: { 'content-type': 'text/html; charset=utf-8' } };
}

const JWT_REFUSAL = {
	status: 401,
	body: {
		detail: 'Given token not valid for any token type',
		code: 'token_not_valid',
		messages: [{ token_class: 'AccessToken', token_type: 'access', message: 'Token is invalid or expired' }],
	},
	headers: { 'WWW-Authenticate': 'Bearer realm="api"' },
};

/** What the source's views answer where they break: 500 INTERNAL_ERROR. */
const internalError = () => fail(500, 'INTERNAL_ERROR', 'An internal error occurred', null);

module.exports = { UUID, djangoNotFound, JWT_REFUSAL, internalError };
