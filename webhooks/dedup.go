package webhooks

import (
	"container/list"
	"sync"
	"time"
)

// How long and how many handled event IDs a Handler remembers.
//
// A delivery is accepted only while its timestamp is within DefaultTolerance
// of now, and a replay carries the original timestamp (the signature covers
// it). An event handled at time t had a timestamp of at most t+DefaultTolerance,
// so from t+2×DefaultTolerance on every replay of it is refused by Verify:
// remembering it that long is enough. Only verified events are remembered, so
// filling the memory takes the signing secret; past rememberMax IDs the
// oldest is forgotten first.
const (
	rememberFor = 2 * DefaultTolerance
	rememberMax = 100_000
)

// dedup remembers which event IDs a Handler has handled successfully, and
// which it is handling now. It is safe for concurrent use.
type dedup struct {
	ttl time.Duration
	max int

	mu       sync.Mutex
	handled  map[string]*list.Element // each an element of order
	order    *list.List               // of handledID, oldest first
	inFlight map[string]struct{}
}

// handledID is an event ID handled successfully, and until when it counts as
// handled.
type handledID struct {
	id    string
	until time.Time
}

// deliveryState is what begin says about a delivery.
type deliveryState int

const (
	firstDelivery  deliveryState = iota // handle it; begin marked it in flight
	alreadyHandled                      // acknowledge it without handling it
	handlingNow                         // another delivery of it is being handled
)

func newDedup(ttl time.Duration, max int) *dedup {
	return &dedup{
		ttl:      ttl,
		max:      max,
		handled:  make(map[string]*list.Element),
		order:    list.New(),
		inFlight: make(map[string]struct{}),
	}
}

// begin returns the state of a delivery of id at time now. When it returns
// firstDelivery, the caller must call finish(id, ...) once it is done.
func (d *dedup) begin(id string, now time.Time) deliveryState {
	d.mu.Lock()
	defer d.mu.Unlock()
	if el, ok := d.handled[id]; ok && now.Before(el.Value.(handledID).until) {
		return alreadyHandled
	}
	if _, ok := d.inFlight[id]; ok {
		return handlingNow
	}
	d.inFlight[id] = struct{}{}
	return firstDelivery
}

// finish ends the handling that begin started, remembering id as handled at
// time now if ok.
func (d *dedup) finish(id string, now time.Time, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.inFlight, id)
	if !ok {
		return
	}
	if el, found := d.handled[id]; found { // expired, since begin let it through
		d.order.Remove(el)
	}
	for front := d.order.Front(); front != nil; front = d.order.Front() {
		h := front.Value.(handledID)
		if now.Before(h.until) && d.order.Len() < d.max {
			break
		}
		d.order.Remove(front)
		delete(d.handled, h.id)
	}
	d.handled[id] = d.order.PushBack(handledID{id: id, until: now.Add(d.ttl)})
}

// size returns how many handled IDs d remembers.
func (d *dedup) size() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.order.Len()
}
