// Package webhooks receives Clerk's organization-membership events: it
// verifies each delivery's signature (Clerk signs through Svix, with the
// Standard Webhooks scheme) before anything is decoded, and decodes the
// event into typed values. It needs only the standard library.
package webhooks
