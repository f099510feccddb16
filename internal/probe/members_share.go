package probe

import (
	"github.com/vigie/vigie/internal/check"
)

// The checks of a location are shared among its alive members by
// rendezvous (highest random weight) hashing: each check goes to the member
// whose weight for it is highest, the weight a hash of the check's key and
// the member's id. A member joining takes from each other member only the
// checks it now weighs most for; a member leaving hands only its own
// checks out, spread over the others; every other check stays where it was.

// ShareOf returns the checks of list that member runs when alive are the
// location's members. With no member alive, or member not among them (a
// probe that does not name itself), it returns list whole.
func ShareOf(list []check.Check, alive []string, member string) []check.Check {
	if len(alive) == 0 || (len(alive) == 1 && alive[0] == member) {
		return list
	}
	hashes := memberHashes(alive)
	self := -1
	for i, id := range alive {
		if id == member {
			self = i
		}
	}
	if self < 0 {
		return list
	}
	out := make([]check.Check, 0, len(list)/len(alive)+1)
	for i := range list {
		if ownerIndex(list[i].Key(), hashes) == self {
			out = append(out, list[i])
		}
	}
	return out
}

// Shares counts the checks of list each of alive runs, by id.
func Shares(list []check.Check, alive []string) map[string]int {
	counts := make(map[string]int, len(alive))
	if len(alive) == 0 {
		return counts
	}
	hashes := memberHashes(alive)
	for i := range list {
		counts[alive[ownerIndex(list[i].Key(), hashes)]]++
	}
	return counts
}

// OwnerOf returns which of alive runs the check with key ("" with none).
func OwnerOf(key string, alive []string) string {
	if len(alive) == 0 {
		return ""
	}
	return alive[ownerIndex(key, memberHashes(alive))]
}

func memberHashes(alive []string) []uint64 {
	hashes := make([]uint64, len(alive))
	for i, id := range alive {
		hashes[i] = hashString(id)
	}
	return hashes
}

// ownerIndex is the index of the member weighing most for key; a tie (a
// 2^-64 chance) goes to the first.
func ownerIndex(key string, members []uint64) int {
	k := hashString(key)
	best, owner := uint64(0), 0
	for i, m := range members {
		if w := mix64(k ^ m); i == 0 || w > best {
			best, owner = w, i
		}
	}
	return owner
}

// hashString is FNV-1a of s through the murmur3 finalizer, so that similar
// strings hash far apart.
func hashString(s string) uint64 {
	x := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		x ^= uint64(s[i])
		x *= 1099511628211
	}
	return mix64(x)
}

// mix64 is the murmur3 64-bit finalizer, a bijection that spreads every bit.
func mix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}
