package web

import (
	"time"

	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/probe"
)

// machine serves remote probe locations and host agents, each with its own
// token: a location reads its own checks and sends their results; an agent
// reports the facts of the one host it is bound to.
type machine struct {
	responder
	intakeCounter
	inv        *inventory.Service
	results    *probe.ResultQueue
	members    *probe.MemberStore
	compliance *probe.Compliance
	stopping   <-chan struct{}
	now        func() time.Time
	// pins keeps the sets of the paged listings being read.
	pins *assignmentPins
}

func (s *Server) machineRoutes(rt *router) {
	d := s.d
	h := &machine{responder: s.responder, intakeCounter: intakeCounter{d.Health}, inv: d.Inventory, results: d.Results, members: d.Members,
		compliance: d.Compliance, stopping: d.Stopping, now: d.Now, pins: &assignmentPins{}}
	rt.handle("GET /api/v1/probe/assignments", fromLocation, classLongPoll, doc{summary: "The checks of the calling location (a member's share, with the Vigie-Member header); with If-None-Match, waits for a change", query: append([]string{"wait: how long to wait for a change, such as 30s (at most 60s)"}, assignmentsQuery...)}, h.probeAssignments)
	rt.handle("POST /api/v1/probe/results", fromLocation, classIntake, doc{summary: "A batch of results from the calling location, as JSON or in the binary form of the media type application/vnd.vigie.results (gzip allowed)", body: resultsBatch{}}, h.probeResults)
	rt.handle("POST "+probe.AgentFactsPath, fromAgent, classIntake, doc{summary: "The facts of the calling agent's host", body: probe.AgentFacts{}}, h.agentFacts)
}
