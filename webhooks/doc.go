// Package webhooks receives Clerk's organization-membership events. Clerk
// signs each delivery through Svix, with the Standard Webhooks scheme; this
// package verifies the signature over the raw bytes before anything is
// decoded, and only then decodes the event into typed values.
//
// Most programs mount Handler, which verifies, decodes, answers Clerk with the
// right status and acknowledges redeliveries of events already handled:
//
//	v, err := webhooks.NewVerifier(os.Getenv("CLERK_WEBHOOK_SIGNING_SECRET"))
//	...
//	mux.Handle("/webhooks/clerk", webhooks.Handler(v, func(ctx context.Context, e *webhooks.Event) error {
//		m, err := e.OrganizationMembership()
//		...
//	}))
//
// Programs with a handler of their own use Verifier.ParseRequest, or
// Verifier.Verify on a body they have read themselves. Sign produces the
// signature Clerk would send, for tests.
//
// Clerk may deliver an event more than once and out of order: handling must
// be idempotent per Event.ID, and should compare the updated_at of the data
// rather than trust the arrival order. The package needs only the standard
// library and the clerk package's types.
package webhooks
