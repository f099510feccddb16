package web

// pageRoutes serves what every page of the signed-in areas shares.
func (s *Server) pageRoutes(rt *router) {
	if s.d.Sessions == nil {
		return
	}
	rt.handle("GET /assets/{name}", publicPage, classAPI, doc{summary: "The style sheets of the customer and staff areas, and the staff console's script"}, s.serveAsset)
}
