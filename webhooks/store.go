package webhooks

import (
	"context"
	"strconv"
	"time"
)

// A Store records which events a Handler has handled, so that a redelivery
// is acknowledged without running fn again. Handler calls Claim before fn,
// Complete when fn returns nil, and Release when fn fails or panics. A Store
// shared by every replica behind one endpoint (see the clerkredis module)
// makes that record hold for the whole fleet. Its methods are called
// concurrently.
type Store interface {
	// Claim reserves id for at most lease. It reports Handled when id was
	// completed before, Busy when another claim on id is still live, and
	// Claimed otherwise.
	Claim(ctx context.Context, id string, lease time.Duration) (ClaimResult, error)
	// Complete records id as handled for retention and ends the claim.
	Complete(ctx context.Context, id string, retention time.Duration) error
	// Release ends the claim without recording id, so that a redelivery is
	// handled again.
	Release(ctx context.Context, id string) error
}

// ClaimResult is what Store.Claim found.
type ClaimResult int

const (
	// Claimed means the caller now holds the claim and should handle the event.
	Claimed ClaimResult = iota + 1
	// Handled means the event was handled before; it must not be handled again.
	Handled
	// Busy means another claim on the event is still live.
	Busy
)

// String returns the result's name, such as "Claimed".
func (r ClaimResult) String() string {
	switch r {
	case Claimed:
		return "Claimed"
	case Handled:
		return "Handled"
	case Busy:
		return "Busy"
	}
	return "ClaimResult(" + strconv.Itoa(int(r)) + ")"
}
