//! `/partners/:partner_id/customers...`

use super::error::{ApiError, OnUnique};
use super::request::Request;
use super::validate::{Input, Patch, Text};
use super::{pagination, reply, Ctx};
use crate::clock;
use crate::db::{self, audit, customers::Fields, CustomerId, PartnerId};
use warp::http::Response;
use warp::hyper::Body;

/// The 422 for an email another customer of the partner has (in any case).
pub const EMAIL_TAKEN: &str = "The email has already been taken.";

const NAME: Text = Text::required(255);
const EMAIL: Text = Text::nullable(255).email();
const PHONE: Text = Text::nullable(50);

fn ids(req: &Request) -> Result<(PartnerId, CustomerId), ApiError> {
    match (req.params.partner, req.params.customer) {
        (Some(p), Some(c)) => Ok((p, c)),
        _ => Err(ApiError::NotFound),
    }
}

/// Reads a customer's fields with the rules of `POST /customers`; the
/// CSV import validates its rows with the same function.
pub fn read_fields(input: &mut Input) -> Option<Fields> {
    let first_name = input.text("first_name", NAME).set();
    let last_name = input.text("last_name", NAME).set();
    let email = input.text("email", EMAIL).set();
    let phone = input.text("phone", PHONE).set();
    Some(Fields {
        first_name: first_name?,
        last_name: last_name?,
        email,
        phone,
    })
}

/// GET /partners/:partner_id/customers
pub async fn list(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let partner = req.params.partner.ok_or(ApiError::NotFound)?;
    let slice = pagination::slice(&req);
    let (slice, (rows, total)) = ctx
        .read(&req, move |c, _| {
            let slice = slice?;
            let page = db::customers::list(c, partner, &slice)?;
            Ok((slice, page))
        })
        .await?;
    Ok(pagination::page(ctx, &req, &slice, &rows, total))
}

/// POST /partners/:partner_id/customers
pub async fn create(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let partner = req.params.partner.ok_or(ApiError::NotFound)?;
    let mut input = req.json()?;
    let fields = read_fields(&mut input);
    input.finish()?;
    let fields = fields.ok_or_else(|| ApiError::internal("validated fields missing"))?;
    let customer = ctx
        .write(&req, move |c, who| {
            let who = who.user_id;
            let now = clock::now_rfc3339();
            let customer = db::customers::create(c, partner, &fields, &now).on_unique(
                db::customers::EMAIL_KEY,
                "email",
                EMAIL_TAKEN,
            )?;
            let subject = ("customer", customer.id.0);
            audit::By::user(partner, who).record(
                c,
                "customer.created",
                subject,
                audit::created(&customer),
                &now,
            )?;
            Ok(customer)
        })
        .await?;
    let location = format!(
        "/api/internal/v1/partners/{partner}/customers/{}",
        customer.id
    );
    Ok(reply::created(&customer, location))
}

/// GET /partners/:partner_id/customers/:customer_id
pub async fn show(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let (partner, id) = ids(&req)?;
    let customer = ctx
        .read(&req, move |c, _| {
            db::customers::find(c, partner, id)?.ok_or(ApiError::NotFound)
        })
        .await?;
    Ok(reply::data(&customer))
}

/// PUT (or PATCH) /partners/:partner_id/customers/:customer_id: changes
/// the fields given; `null` clears `email` or `phone`.
pub async fn update(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let (partner, id) = ids(&req)?;
    let mut input = req.json()?;
    let first_name = input.text("first_name", Text::sometimes(255));
    let last_name = input.text("last_name", Text::sometimes(255));
    let email = input.text("email", EMAIL);
    let phone = input.text("phone", PHONE);
    input.finish()?;
    let customer = ctx
        .write(&req, move |c, who| {
            let who = who.user_id;
            let current = db::customers::find(c, partner, id)?.ok_or(ApiError::NotFound)?;
            let merged = Fields {
                first_name: first_name.set().unwrap_or(current.first_name.clone()),
                last_name: last_name.set().unwrap_or(current.last_name.clone()),
                email: merge(email, current.email.clone()),
                phone: merge(phone, current.phone.clone()),
            };
            let unchanged = merged.first_name == current.first_name
                && merged.last_name == current.last_name
                && merged.email == current.email
                && merged.phone == current.phone;
            if unchanged {
                return Ok(current);
            }
            let now = clock::now_rfc3339();
            let customer = db::customers::update(c, partner, id, &merged, &now)
                .on_unique(db::customers::EMAIL_KEY, "email", EMAIL_TAKEN)?
                .ok_or(ApiError::NotFound)?;
            if let Some(changes) = audit::updated(&current, &customer) {
                audit::By::user(partner, who).record(
                    c,
                    "customer.updated",
                    ("customer", id.0),
                    changes,
                    &now,
                )?;
            }
            Ok(customer)
        })
        .await?;
    Ok(reply::data(&customer))
}

fn merge(patch: Patch<String>, current: Option<String>) -> Option<String> {
    patch.change().unwrap_or(current)
}

/// DELETE /partners/:partner_id/customers/:customer_id: its memberships go too.
pub async fn delete(ctx: &Ctx, req: Request) -> Result<Response<Body>, ApiError> {
    let (partner, id) = ids(&req)?;
    let customer = ctx
        .write(&req, move |c, who| {
            let who = who.user_id;
            let current = db::customers::find(c, partner, id)?.ok_or(ApiError::NotFound)?;
            db::customers::delete(c, partner, id)?;
            let now = clock::now_rfc3339();
            audit::By::user(partner, who).record(
                c,
                "customer.deleted",
                ("customer", id.0),
                audit::deleted(&current),
                &now,
            )?;
            Ok(current)
        })
        .await?;
    Ok(reply::data(&customer))
}
