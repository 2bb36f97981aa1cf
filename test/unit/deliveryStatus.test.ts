import {
	deliveryOutcome,
	FINAL_STATUSES,
	isFinalStatus,
	readRecipientStatuses,
	recipientOf,
} from '../../nodes/Mifumo/helpers/deliveryStatus';

describe('readRecipientStatuses', () => {
	it("reads the guide's recipients: [{phone, status, delivery_time}]", () => {
		expect(
			readRecipientStatuses({
				message_id: 'msg_1',
				status: 'delivered',
				recipients: [
					{ phone: '+255712345678', status: 'delivered', delivery_time: '2024-01-01T10:05:00Z' },
					{ phone: '+255712345999', status: 'FAILED ', delivery_time: null },
				],
			}),
		).toEqual([
			{ recipient: '+255712345678', status: 'delivered', deliveredAt: '2024-01-01T10:05:00Z' },
			{ recipient: '+255712345999', status: 'failed' },
		]);
	});

	it("reads the server source's delivery_details: [{recipient, status, delivered_at, error_message}]", () => {
		expect(
			readRecipientStatuses({
				message_id: '3f1c0e1e-8a2b-4c51-9d2e-6b7f1a0c9d11',
				status: 'sent',
				delivery_details: [
					{ recipient: '+255712345678', status: 'delivered', delivered_at: '2025-10-28T09:00:00Z', error_message: null },
					{ recipient: '+255712345679', status: 'undelivered', delivered_at: null, error_message: 'Absent subscriber' },
				],
			}),
		).toEqual([
			{ recipient: '+255712345678', status: 'delivered', deliveredAt: '2025-10-28T09:00:00Z' },
			{ recipient: '+255712345679', status: 'undelivered', errorMessage: 'Absent subscriber' },
		]);
	});

	it('falls back to the top-level status when neither list holds entries', () => {
		expect(readRecipientStatuses({ message_id: 'm', status: 'Delivered' })).toEqual([{ status: 'delivered' }]);
		expect(readRecipientStatuses({ message_id: 'm', status: 'sent', recipients: [] })).toEqual([{ status: 'sent' }]);
		expect(readRecipientStatuses({ message_id: 'm', status: 'sent', recipients: ['+255712345678'] })).toEqual([{ status: 'sent' }]);
	});

	it('reads nothing from what is not a status', () => {
		expect(readRecipientStatuses(null)).toEqual([]);
		expect(readRecipientStatuses([{ status: 'delivered' }])).toEqual([]);
		expect(readRecipientStatuses({ message_id: 'm' })).toEqual([]);
	});
});

describe('recipientOf', () => {
	it('takes phone, else recipient, as text', () => {
		expect(recipientOf({ phone: ' +255712345678 ', recipient: '+255700000000' })).toBe('+255712345678');
		expect(recipientOf({ recipient: '+255712345679' })).toBe('+255712345679');
		expect(recipientOf({ phone: 255712345670 })).toBe('255712345670');
		expect(recipientOf({ phone: '', recipient: null })).toBeUndefined();
	});
});

describe('deliveryOutcome', () => {
	const of = (...statuses: string[]) => deliveryOutcome(statuses.map((status) => ({ status })));

	it('final statuses are the five of the contract', () => {
		expect([...FINAL_STATUSES].sort()).toEqual(['delivered', 'expired', 'failed', 'rejected', 'undelivered']);
		expect(isFinalStatus('sent')).toBe(false);
	});

	it('delivered: all delivered; failed: all final, none delivered; partial: all final, some delivered; pending: not all final', () => {
		expect(of('delivered', 'delivered')).toBe('delivered');
		expect(of('failed', 'undelivered', 'rejected', 'expired')).toBe('failed');
		expect(of('delivered', 'expired')).toBe('partial');
		expect(of('delivered', 'sent')).toBe('pending');
		expect(of('queued')).toBe('pending');
		expect(of('')).toBe('pending');
		expect(of()).toBe('pending');
	});
});
