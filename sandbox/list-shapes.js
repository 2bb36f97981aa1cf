'use strict';
/**
 * How lists are answered (`listShape`): native (the guide's), array (data is the list), results
 * ({results, count, next, previous}), items ({items, total, has_next}), data ({data, total, page,
 * total_pages}). `paginationHints: false` leaves only the list; `ignorePaging` answers page one.
 */
const { parseIntParam } = require('./answers');

/** info: {total, hasMore, native (hint fields of the native shape), next, previous, page, pages} */
function listData(config, listKey, items, info, extra = {}) {
	const shape = config.listShape || 'native';
	const hints = config.paginationHints !== false;
	if (shape === 'array') return items;
	if (shape === 'native') {
		const data = { [listKey]: items, ...extra };
		if (hints) Object.assign(data, info.native || {});
		return data;
	}
	const data = { [shape]: items, ...extra };
	if (hints) {
		if (shape === 'results') Object.assign(data, { count: info.total, next: info.next || null, previous: info.previous || null });
		else if (shape === 'items') Object.assign(data, { total: info.total, has_next: !!info.hasMore });
		else if (shape === 'data') Object.assign(data, { total: info.total, page: info.page, total_pages: info.pages });
	}
	return data;
}

function pageUrl(url, changes) {
	const next = new URL(url.href);
	for (const [key, value] of Object.entries(changes)) next.searchParams.set(key, String(value));
	return next.href;
}

/** A limit/offset page of `all`: {items, limit, offset, total, hasMore, next, previous, page, pages} or {error}. */
function offsetPage(config, request, all, { defaultLimit }) {
	const limitParam = parseIntParam(request.query.get('limit'), 'limit', defaultLimit, { min: 1 });
	if (limitParam.error) return { error: limitParam.error };
	const offsetParam = parseIntParam(request.query.get('offset'), 'offset', 0, { min: 0 });
	if (offsetParam.error) return { error: offsetParam.error };
	const limit = Math.min(limitParam.value, config.maxLimit || Infinity);
	const offset = config.ignorePaging ? 0 : offsetParam.value;
	const items = all.slice(offset, offset + limit);
	const total = all.length;
	const hasMore = offset + items.length < total;
	return {
		items,
		limit,
		offset,
		total,
		hasMore,
		next: hasMore ? pageUrl(request.url, { limit, offset: offset + limit }) : null,
		previous: offset > 0 ? pageUrl(request.url, { limit, offset: Math.max(0, offset - limit) }) : null,
		page: Math.floor(offset / limit) + 1,
		pages: Math.max(1, Math.ceil(total / limit)),
	};
}

module.exports = { listData, pageUrl, offsetPage };
