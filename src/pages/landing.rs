//! The landing page: the "Afíliate al IMSS" microsite for students.

use leptos::prelude::*;

#[component]
pub fn LandingPage() -> impl IntoView {
    view! {
        <h1 class="afi-title">"Si eres estudiante de prepa o universidad pública tienes IMSS"</h1>
    }
}
