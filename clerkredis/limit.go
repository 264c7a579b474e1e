package clerkredis

import (
	"errors"
	"fmt"
	"time"
)

// A Limit is a rate budget: Requests in every Per, across every process
// sharing one key, with at most Burst of them at once.
type Limit struct {
	Requests int // in every Per, across every process sharing the key
	Per      time.Duration
	Burst    int // 0 means 1
}

// Clerk's instance-wide budgets.
var (
	Production  = Limit{Requests: 1000, Per: 10 * time.Second}
	Development = Limit{Requests: 100, Per: 10 * time.Second}
)

// check reports what is wrong with l, naming it as what.
func (l Limit) check(what string) error {
	switch {
	case l.Requests < 1:
		return fmt.Errorf("clerkredis: %s: Requests is %d; it must be at least 1", what, l.Requests)
	case l.Per <= 0:
		return fmt.Errorf("clerkredis: %s: Per is %v; it must be positive", what, l.Per)
	case l.Burst < 0:
		return fmt.Errorf("clerkredis: %s: Burst is %d; it must be 0 (meaning 1) or more", what, l.Burst)
	}
	return nil
}

// interval is the emission interval of GCRA, Per/Requests, in microseconds.
func (l Limit) interval() float64 {
	return float64(l.Per.Microseconds()) / float64(l.Requests)
}

// tolerance is how far ahead of now the theoretical arrival time may run
// while a request is still allowed at once: (Burst-1) intervals.
func (l Limit) tolerance() float64 {
	b := max(l.Burst, 1)
	return float64(b-1) * l.interval()
}

var errNilClient = errors.New("clerkredis: the Redis client is nil")
