package tokenizer

import (
	"strings"
	"sync"
)

// wordCache maps words (raw bytes) to their merged ids. It is split into
// shards, each behind its own lock, so that concurrent Encode calls rarely
// wait; a shard that reaches its bound is emptied and refills with the words
// in use.
type wordCache struct {
	shards [cacheShards]cacheShard
}

const (
	cacheShards   = 32
	cachePerShard = 2048 // 65,536 words in all
	cacheMaxWord  = 64   // longer words are not cached
)

type cacheShard struct {
	mu sync.RWMutex
	m  map[string][]int32
}

func (c *wordCache) init() {
	for i := range c.shards {
		c.shards[i].m = make(map[string][]int32)
	}
}

func shardOf(w string) int {
	h := uint32(2166136261)
	for i := 0; i < len(w); i++ {
		h = (h ^ uint32(w[i])) * 16777619
	}
	return int(h % cacheShards)
}

func (c *wordCache) get(w string) ([]int32, bool) {
	if len(w) > cacheMaxWord {
		return nil, false
	}
	s := &c.shards[shardOf(w)]
	s.mu.RLock()
	ids, ok := s.m[w]
	s.mu.RUnlock()
	return ids, ok
}

func (c *wordCache) put(w string, ids []int32) {
	if len(w) > cacheMaxWord {
		return
	}
	v := append([]int32(nil), ids...)
	s := &c.shards[shardOf(w)]
	s.mu.Lock()
	if len(s.m) >= cachePerShard {
		clear(s.m)
	}
	s.m[strings.Clone(w)] = v // w may be a slice of a long text
	s.mu.Unlock()
}

// reset empties the cache (for benchmarks of the uncached path).
func (c *wordCache) reset() {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		clear(s.m)
		s.mu.Unlock()
	}
}
