// Package incident turns signals into incidents: correlation over the
// dependency graph (one incident per root cause), maintenance windows and
// the other mutes, and the record of what happened.
package incident
