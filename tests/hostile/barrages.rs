//! Barrages.

use super::*;

#[test]
fn random_bodies_to_every_route_that_takes_one_never_break_the_server() {
    let rig = Rig::new();
    let routes: Vec<&Route> = ROUTES.iter().filter(|r| r.body.is_some()).collect();
    assert!(!routes.is_empty());
    let admin = rig.s.admin.clone();
    // Logout revokes the token it is sent with: it gets one of its own,
    // renewed whenever a random body was valid enough to log out.
    let logout_token = Mutex::new(rig.rt.block_on(rig.s.login("staff@h.example", PASSWORD)));
    let started = Instant::now();
    let mut run = runner(250);
    let outcome = run.run(
        &(
            0..routes.len(),
            body(),
            content_type(),
            prop::bool::weighted(0.9),
        ),
        |(i, body, ct, with_token)| {
            let route = routes[i];
            let target = rig.fill(route);
            let logout = route.name == "Logout";
            let token = if logout {
                Some(logout_token.lock().unwrap().clone())
            } else {
                // Mostly the admin, so the body is read; sometimes no token,
                // to see the 401 come first whatever the body.
                with_token.then(|| admin.clone())
            };
            let raw = rig.send(&request(
                route.method.as_str(),
                &target,
                token.as_deref(),
                ct,
                &body,
            ));
            let what = format!(
                "{} {target} ({ct:?}) {:?}",
                route.method.as_str(),
                String::from_utf8_lossy(&body[..body.len().min(300)])
            );
            check(&raw, route.method.as_str(), &what)?;
            if std::env::var("HOSTILE_TRACE").is_ok() {
                eprintln!(
                    "{} {what:.120} => {:.150}",
                    raw.status,
                    String::from_utf8_lossy(&raw.body)
                );
            }
            if raw.status == 200 {
                let v: Value = serde_json::from_slice(&raw.body)
                    .map_err(|e| TestCaseError::fail(format!("{what}: 200 not JSON: {e}")))?;
                prop_assert!(v.is_object(), "{what}: {v}");
            }
            if logout && raw.status == 200 {
                *logout_token.lock().unwrap() =
                    rig.rt.block_on(rig.s.login("staff@h.example", PASSWORD));
            }
            Ok(())
        },
    );
    if let Err(e) = outcome {
        panic!("{e}");
    }
    rig.assert_healthy();
    eprintln!("random bodies: {:?}", started.elapsed());
}

#[test]
fn without_a_token_or_as_a_plain_user_random_bodies_still_get_401_or_403() {
    let rig = Rig::new();
    let (_, nobody) = rig.rt.block_on(rig.s.user("nobody@h.example", &[], &[]));
    let routes: Vec<&Route> = ROUTES
        .iter()
        // Login is public; logout and a change of one's own password are
        // any signed-in user's (and logout would revoke the token used).
        .filter(|r| r.body.is_some() && !matches!(r.guard, Guard::Public | Guard::User))
        .collect();
    let mut run = runner(80);
    let outcome = run.run(
        &(0..routes.len(), body(), content_type(), any::<bool>()),
        |(i, body, ct, anonymous)| {
            let route = routes[i];
            let target = rig.fill(route);
            let token = (!anonymous).then_some(nobody.as_str());
            let raw = rig.send(&request(route.method.as_str(), &target, token, ct, &body));
            let what = format!("{} {target} anonymous={anonymous}", route.method.as_str());
            check(&raw, route.method.as_str(), &what)?;
            if anonymous {
                prop_assert_eq!(raw.status, 401, "{}", what);
            } else {
                prop_assert_eq!(raw.status, 403, "{}", what);
            }
            Ok(())
        },
    );
    if let Err(e) = outcome {
        panic!("{e}");
    }
    rig.assert_healthy();
}

#[test]
fn random_query_strings_on_every_list_are_200_or_422_never_5xx() {
    let rig = Rig::new();
    let lists: Vec<&Route> = ROUTES
        .iter()
        .filter(|r| r.list && r.method == Verb::Get)
        .collect();
    assert!(!lists.is_empty());
    let admin = rig.s.admin.clone();
    let mut run = runner(250);
    let outcome = run.run(&(0..lists.len(), query()), |(i, q)| {
        let route = lists[i];
        let target = format!("{}?{q}", rig.fill(route));
        let raw = rig.send(&request("GET", &target, Some(&admin), None, b""));
        let what = format!("GET {target}");
        check(&raw, "GET", &what)?;
        prop_assert!(
            raw.status == 200 || raw.status == 422,
            "{what}: {} {}",
            raw.status,
            String::from_utf8_lossy(&raw.body)
        );
        let v: Value = serde_json::from_slice(&raw.body)
            .map_err(|e| TestCaseError::fail(format!("{what}: not JSON: {e}")))?;
        if raw.status == 200 {
            prop_assert!(v["data"].is_array(), "{what}: {v}");
            prop_assert!(v["meta"]["last_page"].as_i64() >= Some(1), "{what}: {v}");
        } else {
            let fields: Vec<&String> = v["errors"].as_object().unwrap().keys().collect();
            prop_assert!(
                fields.iter().all(|f| *f == "page" || *f == "per_page"),
                "{what}: {v}"
            );
        }
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
    rig.assert_healthy();
}

#[test]
fn random_paths_and_methods_get_json_errors_never_5xx() {
    let rig = Rig::new();
    let admin = rig.s.admin.clone();
    let mut run = runner(300);
    let outcome = run.run(
        &(method(), path(), any::<bool>(), prop::option::of(query())),
        |(method, path, with_token, q)| {
            let target = match &q {
                Some(q) => format!("{path}?{q}"),
                None => path.clone(),
            };
            let token = with_token.then_some(admin.as_str());
            let (ct, body): (Option<&str>, &[u8]) = match method {
                "POST" | "PUT" | "PATCH" => (Some("application/json"), b"{}"),
                _ => (None, b""),
            };
            let raw = rig.send(&request(method, &target, token, ct, body));
            check(&raw, method, &format!("{method} {target}"))?;
            Ok(())
        },
    );
    if let Err(e) = outcome {
        panic!("{e}");
    }
    rig.assert_healthy();
}
