package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/account"
	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/inventory"
)

// contactView is a contact as the staff API shows it.
type contactView struct {
	ID          int64      `json:"id"`
	Customer    string     `json:"customer"`
	Email       string     `json:"email"`
	Name        string     `json:"name"`
	Language    string     `json:"language"`
	Timezone    string     `json:"timezone"`
	CreatedAt   time.Time  `json:"created_at"`
	InvitedAt   *time.Time `json:"invited_at"`
	ActivatedAt *time.Time `json:"activated_at"`
	Disabled    bool       `json:"disabled"`
}

func viewContact(c auth.Contact) contactView {
	return contactView{ID: c.ID, Customer: c.Customer, Email: c.Email, Name: c.Name, Language: c.Lang, Timezone: c.Zone,
		CreatedAt: c.CreatedAt, InvitedAt: c.InvitedAt, ActivatedAt: c.ActivatedAt, Disabled: c.Disabled}
}

// contactForm is the body of a new contact.
type contactForm struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	// Language is fr or en, and Timezone an IANA zone; both default to
	// the customer's.
	Language string `json:"language"`
	Timezone string `json:"timezone"`
}

// check names the fields of the form that can never be stored.
func (f contactForm) check() *Error {
	var fields []map[string]string
	if strings.TrimSpace(f.Email) == "" {
		fields = append(fields, field("email", "required: the contact's e-mail address, their login"))
	}
	if f.Language != "" && f.Language != "fr" && f.Language != "en" {
		fields = append(fields, field("language", fmt.Sprintf("%q is not one of fr, en", f.Language)))
	}
	if f.Timezone != "" {
		if loc, err := time.LoadLocation(f.Timezone); err != nil || loc == time.Local || f.Timezone == "Local" {
			fields = append(fields, field("timezone", fmt.Sprintf("unknown time zone %q: want an IANA name such as Europe/Paris", f.Timezone)))
		}
	}
	if fields != nil {
		return fieldError("invalid contact", nil, fields)
	}
	return nil
}

// contactsAPI is the staff API of customers' contacts.
type contactsAPI struct {
	responder
	auth   *auth.Service
	inv    *inventory.Service
	mailer *account.Mailer
}

// noMailChannel is the answer when no e-mail channel serves customers.
func noMailChannel(err error) *Error {
	return &Error{Status: http.StatusConflict, Err: err,
		Message: "nothing was changed: the invitation cannot be mailed; " + account.NoMailChannelHelp}
}

// listContacts lists a customer's contacts by address.
func (h *contactsAPI) listContacts(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := h.inv.Customer(r.Context(), id); err != nil {
		h.fail(w, r, err)
		return
	}
	contacts, err := h.auth.Contacts(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]contactView, len(contacts))
	for i, c := range contacts {
		out[i] = viewContact(c)
	}
	writeJSON(w, http.StatusOK, map[string]any{"contacts": out})
}

// inviteContact adds a contact and queues their invitation, both or
// neither: without an e-mail channel for customers nothing is created
// (409), so that no contact waits for a mail that never left.
func (h *contactsAPI) inviteContact(w http.ResponseWriter, r *http.Request) {
	var body contactForm
	if err := decodeJSON(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	customer := r.PathValue("id")
	c, err := h.invite(r, customer, body)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/customers/"+customer+"/contacts/"+strconv.FormatInt(c.ID, 10))
	writeJSON(w, http.StatusCreated, map[string]any{"contact": viewContact(c), "invitation": "queued"})
}

// invite adds a contact of customer and queues their invitation, for the
// API and the console alike, saying in the audit entry what came of it.
func (h *contactsAPI) invite(r *http.Request, customer string, body contactForm) (auth.Contact, error) {
	target := "contact " + strings.ToLower(strings.TrimSpace(body.Email))
	if err := body.check(); err != nil {
		return auth.Contact{}, h.refused(r, target, err)
	}
	c, err := h.mailer.Invite(r.Context(), auth.Contact{Customer: customer, Email: body.Email, Name: body.Name,
		Lang: body.Language, Zone: body.Timezone})
	if err != nil {
		return auth.Contact{}, h.refused(r, target, err)
	}
	auditDetail(r, target+": invitation queued")
	return c, nil
}

// refused is the error of a refused action on target, said in its audit
// entry (the audit middleware records every change the staff make).
func (h *contactsAPI) refused(r *http.Request, target string, err error) error {
	if errors.Is(err, account.ErrNoMailChannel) {
		err = noMailChannel(err)
	}
	auditDetail(r, target+": "+classify(err).Message)
	return err
}

// contactOf returns the contact the path names, by id or address, when
// it is one of the path's customer.
func (h *contactsAPI) contactOf(r *http.Request) (auth.Contact, error) {
	customer, key := r.PathValue("id"), r.PathValue("contact")
	var (
		c   auth.Contact
		err error
	)
	if id, perr := strconv.ParseInt(key, 10, 64); perr == nil {
		c, err = h.auth.Contact(r.Context(), id)
	} else {
		c, err = h.auth.ContactByEmail(r.Context(), key)
	}
	if err == nil && c.Customer != customer {
		err = &Error{Status: http.StatusNotFound, Message: fmt.Sprintf("%s is not a contact of %s", key, customer)}
	}
	return c, err
}

// reinviteContact mails a contact a new invitation; the older one stops
// working only once the new one is queued.
func (h *contactsAPI) reinviteContact(w http.ResponseWriter, r *http.Request) {
	c, err := h.reinvite(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"contact": viewContact(c), "invitation": "queued"})
}

// reinvite mails the contact the path names a new invitation and returns
// them with its date.
func (h *contactsAPI) reinvite(r *http.Request) (auth.Contact, error) {
	target := "contact " + r.PathValue("contact")
	c, err := h.contactOf(r)
	if err == nil && c.Disabled {
		err = &Error{Status: http.StatusConflict, Message: c.Email + " is disabled: remove the contact and add them again"}
	}
	if err == nil {
		err = h.mailer.Send(r.Context(), c, auth.LinkInvite)
	}
	if err != nil {
		return auth.Contact{}, h.refused(r, target, err)
	}
	auditDetail(r, "contact "+c.Email+": invitation queued")
	if fresh, err := h.auth.Contact(r.Context(), c.ID); err == nil {
		c = fresh // with its new invitation date
	}
	return c, nil
}

// removeContact deletes a contact; their sessions and links end in the
// same transaction.
func (h *contactsAPI) removeContact(w http.ResponseWriter, r *http.Request) {
	if _, err := h.remove(r); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// remove deletes the contact the path names and returns who they were.
func (h *contactsAPI) remove(r *http.Request) (auth.Contact, error) {
	target := "contact " + r.PathValue("contact")
	c, err := h.contactOf(r)
	if err == nil {
		err = h.auth.RemoveContact(r.Context(), c.ID)
	}
	if err != nil {
		return auth.Contact{}, h.refused(r, target, err)
	}
	auditDetail(r, "contact "+c.Email+" removed, their sessions and links ended")
	return c, nil
}
