package incident

// infer marks failed the assets with no failing check of their own whose
// evidence is all down: at least threshold direct dependents that either
// have checks or are themselves failed, every one of them failed.
// A dependent with checks that is not failed clears the asset; a failed
// one already explained by another own failure above it, through another
// of its dependencies, is no evidence either way (a site on a down VM says
// nothing about its database). Inference is monotone, so the order assets are looked at does not change the
// outcome; redundancy groups are never inferred, they fail by their members.
func (c *correlator) infer(down []string, threshold int) {
	var queue []string
	queued := map[string]bool{}
	push := func(names []string) {
		for _, n := range names {
			if _, failed := c.failed[n]; failed || queued[n] {
				continue
			}
			if _, group := c.groups[n]; group {
				continue
			}
			queued[n] = true
			queue = append(queue, n)
		}
	}
	for _, name := range down {
		push(c.g.DependsOn(name))
	}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		// A later inferred dependent may queue it again.
		delete(queued, name)
		if !c.allEvidenceDown(name, threshold) {
			continue
		}
		c.failed[name] = FailedInferred
		push(c.g.DependsOn(name))
	}
}

// allEvidenceDown reports whether name has at least threshold direct
// dependents with checks or a failure, and all of them failed.
func (c *correlator) allEvidenceDown(name string, threshold int) bool {
	n := 0
	for _, d := range c.g.Dependents(name) {
		cause, failed := c.failed[d]
		switch {
		case failed && cause != FailedGroup:
			if !c.explainedElsewhere(d, name) {
				n++
			}
		case !failed && c.checked(d):
			return false
		}
	}
	return n >= threshold
}

// explainedElsewhere reports whether the failure of d comes from an own
// failure at or above one of its dependencies other than x.
func (c *correlator) explainedElsewhere(d, x string) bool {
	for _, p := range c.g.DependsOn(d) {
		if p != x && c.ownAbove(p) {
			return true
		}
	}
	return false
}

// ownAbove reports whether name, or an asset it depends on transitively,
// is down on its own checks; a redundancy group only when all its members
// are. Answers are kept for the whole inference.
func (c *correlator) ownAbove(name string) bool {
	if v, ok := c.own[name]; ok {
		return v
	}
	// Set before walking up, so that a cycle ends instead of looping.
	c.own[name] = c.down[name]
	if c.down[name] {
		return true
	}
	v := false
	if members, group := c.groups[name]; group {
		v = len(members) > 0
		for _, m := range members {
			if !c.ownAbove(m) {
				v = false
				break
			}
		}
	} else {
		for _, p := range c.g.DependsOn(name) {
			if c.ownAbove(p) {
				v = true
				break
			}
		}
	}
	c.own[name] = v
	return v
}

// failGroups marks failed the redundancy groups of the graph whose members
// have all failed, groups of groups included.
func (c *correlator) failGroups() {
	names := sortedNames(c.groups)
	for changed := true; changed; {
		changed = false
		for _, name := range names {
			if _, failed := c.failed[name]; failed || c.g.Kind(name) == "" || !c.allMembersFailed(name) {
				continue
			}
			c.failed[name] = FailedGroup
			changed = true
		}
	}
}

func (c *correlator) allMembersFailed(group string) bool {
	members := c.groups[group]
	for _, m := range members {
		if _, failed := c.failed[m]; !failed {
			return false
		}
	}
	return len(members) > 0
}
