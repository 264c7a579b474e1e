package webhooks

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestDedupForgetsTheOldestIDPastItsCapacity(t *testing.T) {
	d := newDedup(time.Hour, 3)
	for _, id := range []string{"a", "b", "c", "d"} {
		assert.Equal(t, firstDelivery, d.begin(id, testNow))
		d.finish(id, testNow, true)
	}
	assert.Equal(t, 3, d.size())
	assert.Equal(t, firstDelivery, d.begin("a", testNow), "the oldest, forgotten")
	for _, id := range []string{"c", "d"} {
		assert.Equal(t, alreadyHandled, d.begin(id, testNow), id)
	}
}

func TestDedupForgetsAnIDWhenItsTimeIsUp(t *testing.T) {
	d := newDedup(time.Minute, 10)
	d.begin("a", testNow)
	d.finish("a", testNow, true)
	assert.Equal(t, alreadyHandled, d.begin("a", testNow.Add(time.Minute-time.Nanosecond)))
	assert.Equal(t, firstDelivery, d.begin("a", testNow.Add(time.Minute)))
	d.finish("a", testNow.Add(time.Minute), false)
	assert.Equal(t, 1, d.size(), "an expired ID is dropped only when another is remembered")

	d.begin("b", testNow.Add(time.Minute))
	d.finish("b", testNow.Add(time.Minute), true)
	assert.Equal(t, 1, d.size(), "the expired ID is dropped")
}

func TestDedupRemembersAnIDHandledAgainOnce(t *testing.T) {
	d := newDedup(time.Minute, 10)
	d.begin("a", testNow)
	d.finish("a", testNow, true)
	later := testNow.Add(time.Hour)
	assert.Equal(t, firstDelivery, d.begin("a", later))
	d.finish("a", later, true)
	assert.Equal(t, 1, d.size())
	assert.Equal(t, alreadyHandled, d.begin("a", later))
}

func TestDedupForgetsAFailedDelivery(t *testing.T) {
	d := newDedup(time.Minute, 10)
	assert.Equal(t, firstDelivery, d.begin("a", testNow))
	assert.Equal(t, handlingNow, d.begin("a", testNow))
	d.finish("a", testNow, false)
	assert.Equal(t, 0, d.size())
	assert.Equal(t, firstDelivery, d.begin("a", testNow))
}

func TestDedupStaysWithinItsCapacityUnderAFlood(t *testing.T) {
	d := newDedup(time.Hour, 1000)
	for i := range 10_000 {
		id := strconv.Itoa(i)
		d.begin(id, testNow)
		d.finish(id, testNow, true)
	}
	assert.Equal(t, 1000, d.size())
	assert.Len(t, d.handled, 1000)
	assert.Equal(t, alreadyHandled, d.begin("9999", testNow))
	assert.Equal(t, firstDelivery, d.begin("8999", testNow))
}
