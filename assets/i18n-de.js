// German for every English text (i18n.js): "English<TAB>German" per line, the
// English as the code writes it; a missing key shows in English and is listed
// by window.venueGroupsI18nMissing(). A list, not an object literal: smaller.

export const DE = Object.fromEntries(`
No access	Kein Zugriff
No access yet	Noch kein Zugriff
Your account has no permissions yet. Ask an administrator to grant them.	Ihr Konto hat noch keine Berechtigungen. Bitten Sie eine Administratorin oder einen Administrator darum.
Not found	Nicht gefunden
Page not found	Seite nicht gefunden
Go to the start page	Zur Startseite
Your account is not allowed to see this page.	Ihr Konto darf diese Seite nicht sehen.
Choose a partner	Partner wählen
Pick the partner to work for in the “Partner” list at the top of the page.	Wählen Sie oben in der Liste „Partner“, für welchen Partner Sie arbeiten.
No partners yet	Noch keine Partner
Create the first partner	Den ersten Partner anlegen
No partner	Kein Partner
Your account does not belong to any partner yet. Ask an administrator to add you.	Ihr Konto gehört noch zu keinem Partner. Bitten Sie eine Administratorin oder einen Administrator, Sie hinzuzufügen.
Choose a partner…	Partner wählen …
No partners	Keine Partner
Now working for {name}.	Sie arbeiten jetzt für {name}.
Partner {id}	Partner {id}
Log in	Anmelden
You are logged out.	Sie sind abgemeldet.
Error	Fehler
The page could not start	Die Seite konnte nicht starten
Try again	Erneut versuchen
Your session has ended, please log in again.	Ihre Sitzung ist abgelaufen, bitte melden Sie sich erneut an.
You logged out in another tab.	Sie haben sich in einem anderen Tab abgemeldet.
Partners	Partner
Groups	Gruppen
Group	Gruppe
Customers	Kunden
Customer	Kunde
Users	Benutzer
User	Benutzer
Delete	Löschen
Line {line} ({who})	Zeile {line} ({who})
Line {line}	Zeile {line}
{n} cells, but the header row has {m}	{n} Zellen, die Kopfzeile hat aber {m}
empty, but it is required	leer, muss aber ausgefüllt sein
longer than {max} characters	länger als {max} Zeichen
No group	Keine Gruppe
Preview	Vorschau
Import	Importieren
Added to the group	Zur Gruppe hinzugefügt
New customers	Neue Kunden
Already known (same email)	Schon bekannt (gleiche E-Mail)
…and {n} more.	… und {n} weitere.
The file has a problem; nothing was saved.	Die Datei hat einen Fehler; nichts wurde gespeichert.
The file has {n} problems; nothing was saved.	Die Datei hat {n} Fehler; nichts wurde gespeichert.
Fix the file and preview it again.	Korrigieren Sie die Datei und sehen Sie sie erneut in der Vorschau an.
Choose a CSV file first.	Wählen Sie zuerst eine CSV-Datei.
The file is larger than 5 MB, the most one import takes. Split it into smaller files.	Die Datei ist größer als 5 MB, das Maximum für einen Import. Teilen Sie sie in kleinere Dateien auf.
The file could not be read. Choose it again.	Die Datei konnte nicht gelesen werden. Wählen Sie sie erneut.
The file has no customers in it.	Die Datei enthält keine Kunden.
Preview: nothing is saved yet. Check the numbers, then import.	Vorschau: noch ist nichts gespeichert. Prüfen Sie die Zahlen, dann importieren Sie.
Imported.	Importiert.
Import done: {created} new, {matched} already known.	Import fertig: {created} neu, {matched} schon bekannt.
Import from a CSV file	Aus einer CSV-Datei importieren
A header row names the columns first_name, last_name, email, phone (comma or semicolon separated). A row whose email matches an existing customer reuses that customer. Nothing is saved until you import.	Eine Kopfzeile nennt die Spalten first_name, last_name, email, phone (durch Komma oder Semikolon getrennt). Eine Zeile mit der E-Mail eines vorhandenen Kunden verwendet diesen Kunden. Gespeichert wird erst beim Importieren.
CSV file	CSV-Datei
Also add them to	Auch hinzufügen zu
(optional)	(optional)
'{value}' is not a valid email address	„{value}“ ist keine gültige E-Mail-Adresse
'{value}' appears more than once in the file	„{value}“ kommt mehrmals in der Datei vor
first name	Vorname
last name	Nachname
email	E-Mail
phone	Telefon
All customers	Alle Kunden
Loading the customer…	Kunde wird geladen …
Email	E-Mail
Phone	Telefon
Last changed	Zuletzt geändert
Save changes	Änderungen speichern
Customer {name} saved.	Kunde {name} gespeichert.
Edit customer	Kunden bearbeiten
Delete customer	Kunden löschen
This customer does not exist (any more), or it belongs to another partner.	Diesen Kunden gibt es nicht (mehr), oder er gehört zu einem anderen Partner.
The customer could not be loaded.	Der Kunde konnte nicht geladen werden.
Looking through the groups…	Gruppen werden durchsucht …
Only the first {n} of {total} groups were looked through.	Nur die ersten {n} von {total} Gruppen wurden durchsucht.
Not in any group.	In keiner Gruppe.
The groups could not be loaded.	Die Gruppen konnten nicht geladen werden.
First name	Vorname
Last name	Nachname
Delete this customer?	Diesen Kunden löschen?
{name} will be deleted and removed from every group.	{name} wird gelöscht und aus allen Gruppen entfernt.
Customer {name} deleted.	Kunde {name} gelöscht.
No customers match “{term}”.	Keine Kunden passen zu „{term}“.
Search customers by name or email	Kunden nach Name oder E-Mail suchen
There are no customers yet.	Es gibt noch keine Kunden.
Name	Name
Actions	Aktionen
Edit {name}	{name} bearbeiten
Edit	Bearbeiten
Delete {name}	{name} löschen
Create customer	Kunden anlegen
Customer {name} created.	Kunde {name} angelegt.
New customer	Neuer Kunde
{n} customer	{n} Kunde
{n} customers	{n} Kunden
{name} (you)	{name} (Sie)
user {id}	Benutzer {id}
customer {id}	Kunde {id}
{name} (deleted since)	{name} (inzwischen gelöscht)
none	keine
and {n} more	und {n} weitere
the command line	die Kommandozeile
by	von
No changes are recorded for this group.	Für diese Gruppe sind keine Änderungen verzeichnet.
Show older changes	Ältere Änderungen zeigen
History	Verlauf
Created	Angelegt
Edited	Bearbeitet
Deleted	Gelöscht
Member added	Mitglied hinzugefügt
Member removed	Mitglied entfernt
Members added or removed in bulk	Mehrere Mitglieder hinzugefügt oder entfernt
Description	Beschreibung
All groups	Alle Gruppen
Loading the group…	Gruppe wird geladen …
Members	Mitglieder
Export CSV	CSV exportieren
The members of “{name}” are saved as {file}.	Die Mitglieder von „{name}“ sind als {file} gespeichert.
More actions	Weitere Aktionen
This group does not exist (any more), or it belongs to another partner.	Diese Gruppe gibt es nicht (mehr), oder sie gehört zu einem anderen Partner.
The group could not be loaded.	Die Gruppe konnte nicht geladen werden.
Group “{name}” saved.	Gruppe „{name}“ gespeichert.
Someone else changed this group in the meantime. The form now shows the latest version; make your change again.	Jemand anderes hat diese Gruppe inzwischen geändert. Das Formular zeigt jetzt den neuesten Stand; nehmen Sie Ihre Änderung erneut vor.
Edit group	Gruppe bearbeiten
Delete group	Gruppe löschen
No members match “{term}”.	Keine Mitglieder passen zu „{term}“.
Search members by name or email	Mitglieder nach Name oder E-Mail suchen
This group has no members yet.	Diese Gruppe hat noch keine Mitglieder.
Added	Hinzugefügt
Customer number	Kundennummer
Name (A–Z)	Name (A–Z)
Date added (oldest first)	Hinzugefügt (älteste zuerst)
Date added (newest first)	Hinzugefügt (neueste zuerst)
Remove {name} from the group	{name} aus der Gruppe entfernen
Remove	Entfernen
{name} removed from “{group}”.	{name} aus „{group}“ entfernt.
{name} is already a member of “{group}”.	{name} ist schon Mitglied von „{group}“.
{name} added to “{group}”.	{name} zu „{group}“ hinzugefügt.
Add members	Mitglieder hinzufügen
{n} member	{n} Mitglied
{n} members	{n} Mitglieder
Delete this group?	Diese Gruppe löschen?
“{name}” will be deleted with its {n} memberships. The customers themselves stay.	„{name}“ wird mit ihren {n} Mitgliedschaften gelöscht. Die Kunden selbst bleiben.
Group “{name}” deleted.	Gruppe „{name}“ gelöscht.
No groups match “{term}”.	Keine Gruppen passen zu „{term}“.
Search groups by name	Gruppen nach Name suchen
There are no groups yet.	Es gibt noch keine Gruppen.
Delete group {name}	Gruppe {name} löschen
Create group	Gruppe anlegen
Group “{name}” created.	Gruppe „{name}“ angelegt.
New group	Neue Gruppe
{n} group	{n} Gruppe
{n} groups	{n} Gruppen
Password	Passwort
The email or the password is wrong.	E-Mail oder Passwort ist falsch.
Add many…	Mehrere hinzufügen …
Show customers matching	Kunden anzeigen, die passen zu
Find	Suchen
Customers to add	Hinzuzufügende Kunden
Add selected	Ausgewählte hinzufügen
Tick everyone to add, across as many searches as needed, then add them in one go.	Haken Sie alle an, die hinzukommen sollen, über beliebig viele Suchen hinweg, und fügen Sie sie dann auf einmal hinzu.
Add {n} selected	{n} ausgewählte hinzufügen
{n} ticked: {names}	{n} angehakt: {names}
Nobody ticked yet.	Noch niemand angehakt.
(already a member)	(schon Mitglied)
No customer matches “{term}”.	Kein Kunde passt zu „{term}“.
Showing {shown} of {total}. Type to narrow the list.	{shown} von {total} angezeigt. Tippen Sie, um die Liste einzugrenzen.
{name} is no longer a customer here (deleted meanwhile?) and was unticked.	{name} ist hier kein Kunde mehr (inzwischen gelöscht?) und wurde abgehakt.
Nobody was added. Check the list and add again.	Niemand wurde hinzugefügt. Prüfen Sie die Liste und fügen Sie erneut hinzu.
{n} added to “{group}”.	{n} zu „{group}“ hinzugefügt.
{n} was already a member.	{n} war schon Mitglied.
{n} were already members.	{n} waren schon Mitglieder.
Find a customer	Kunden finden
Type a name (first, last or both) or an email address.	Geben Sie einen Namen (Vor-, Nachname oder beide) oder eine E-Mail-Adresse ein.
Matching customers	Passende Kunden
Already a member:	Schon Mitglied:
Add	Hinzufügen
Showing {shown} of {total}. Type more to narrow the search.	{shown} von {total} angezeigt. Tippen Sie weiter, um die Suche einzugrenzen.
Add a member	Mitglied hinzufügen
This is required.	Bitte ausfüllen.
At most {max} characters.	Höchstens {max} Zeichen.
At least {min} characters.	Mindestens {min} Zeichen.
This is not a valid email address.	Das ist keine gültige E-Mail-Adresse.
This is already taken; choose another.	Das ist schon vergeben; wählen Sie etwas anderes.
Only one line of text, please.	Bitte nur eine Textzeile.
The two passwords differ.	Die beiden Passwörter stimmen nicht überein.
This appears twice.	Das kommt doppelt vor.
 Try again in {n} seconds.	 Versuchen Sie es in {n} Sekunden erneut.
 Try again in a moment.	 Versuchen Sie es gleich noch einmal.
Something went wrong in this page. Reload it and try again.	In dieser Seite ist etwas schiefgegangen. Laden Sie sie neu und versuchen Sie es erneut.
The server could not be reached. Check the connection and try again.	Der Server ist nicht erreichbar. Prüfen Sie die Verbindung und versuchen Sie es erneut.
You are not allowed to do this. Ask an administrator if you need access.	Das dürfen Sie nicht. Bitten Sie eine Administratorin oder einen Administrator, wenn Sie Zugriff brauchen.
Not found: it may have been deleted, or it belongs to another partner.	Nicht gefunden: vielleicht gelöscht, oder es gehört zu einem anderen Partner.
This cannot be done while other data depends on it.	Das geht nicht, solange andere Daten davon abhängen.
Too many attempts.	Zu viele Versuche.
Something went wrong on the server. Try again; if it keeps happening, tell support.	Auf dem Server ist etwas schiefgegangen. Versuchen Sie es erneut; passiert es weiter, melden Sie es dem Support.
The service cannot save changes right now.	Der Dienst kann gerade keine Änderungen speichern.
Search	Suchen
Previous	Zurück
Next	Weiter
Go to page	Zu Seite
Go	Los
{title}: pages	{title}: Seiten
Sorting works for up to {max} entries; this list has {n}, so it is shown in the order they were created.	Sortieren geht bis {max} Einträge; diese Liste hat {n} und steht daher in der Reihenfolge, in der sie angelegt wurden.
Page {page} of {last}	Seite {page} von {last}
Sort by	Sortieren nach
All partners	Alle Partner
There are no partners yet. Create the first one below.	Es gibt noch keine Partner. Legen Sie unten den ersten an.
Selected	Ausgewählt
Work with this partner	Mit diesem Partner arbeiten
Rename {name}	{name} umbenennen
Rename	Umbenennen
Save name	Namen speichern
New name	Neuer Name
Cancel	Abbrechen
Rename partner	Partner umbenennen
Rename “{name}”	„{name}“ umbenennen
Partner renamed to “{name}”.	Partner umbenannt in „{name}“.
Delete this partner?	Diesen Partner löschen?
“{name}” will be deleted. This works only once it has no groups and no customers left.	„{name}“ wird gelöscht. Das geht nur, wenn er keine Gruppen und keine Kunden mehr hat.
Delete partner	Partner löschen
Partner “{name}” deleted.	Partner „{name}“ gelöscht.
“{name}” still has groups or customers, so it was not deleted. Delete or move them first; its staff accounts stay either way.	„{name}“ hat noch Gruppen oder Kunden und wurde daher nicht gelöscht. Löschen Sie diese zuerst; die Konten der Mitarbeitenden bleiben in jedem Fall.
Create partner	Partner anlegen
Partner “{name}” created.	Partner „{name}“ angelegt.
New partner	Neuer Partner
{n} partner	{n} Partner
{n} partners	{n} Partner
All users	Alle Benutzer
Loading the user…	Benutzer wird geladen …
Permissions	Berechtigungen
An administrator: may do everything, for every partner.	Administrator: darf alles, für jeden Partner.
Save permissions	Berechtigungen speichern
Permissions of {name} saved.	Berechtigungen von {name} gespeichert.
What {name} may do	Was {name} darf
Works for	Arbeitet für
Save partners	Partner speichern
Partners of {name} saved.	Partner von {name} gespeichert.
The user could not be loaded.	Der Benutzer konnte nicht geladen werden.
See groups and their members	Gruppen und ihre Mitglieder sehen
Create groups	Gruppen anlegen
Edit groups and add or remove members	Gruppen bearbeiten und Mitglieder hinzufügen oder entfernen
Delete groups	Gruppen löschen
See customers	Kunden sehen
Add customers and import spreadsheets	Kunden anlegen und Tabellen importieren
Edit customers	Kunden bearbeiten
Delete customers	Kunden löschen
Staff	Mitarbeitende
See the staff accounts	Konten der Mitarbeitenden sehen
Add staff accounts	Konten für Mitarbeitende anlegen
Change staff names, emails and passwords	Namen, E-Mails und Passwörter der Mitarbeitenden ändern
Take staff off the partner	Mitarbeitende vom Partner entfernen
See the history of changes	Den Verlauf der Änderungen sehen
Users of this partner	Benutzer dieses Partners
No users match “{term}”.	Keine Benutzer passen zu „{term}“.
Search users by name or email	Benutzer nach Name oder E-Mail suchen
This partner has no users yet.	Dieser Partner hat noch keine Benutzer.
Add user	Benutzer hinzufügen
If this email already has an account, that account is added to this partner and the name and password below are ignored.	Hat diese E-Mail schon ein Konto, wird dieses Konto dem Partner hinzugefügt; Name und Passwort unten werden dann nicht verwendet.
At least 8 characters.	Mindestens 8 Zeichen.
{email} can now log in for this partner. Choose what they may do.	{email} kann sich jetzt für diesen Partner anmelden. Wählen Sie, was diese Person darf.
{email} can now log in for this partner. An administrator still has to grant permissions.	{email} kann sich jetzt für diesen Partner anmelden. Berechtigungen muss noch eine Administratorin oder ein Administrator vergeben.
Add a user	Benutzer hinzufügen
{n} user	{n} Benutzer
{n} users	{n} Benutzer
Skip to content	Zum Inhalt springen
Partner	Partner
Log out	Abmelden
Working…	Wird bearbeitet …
Sections	Bereiche
This user does not exist (any more).	Diesen Benutzer gibt es nicht (mehr).
Change my password	Mein Passwort ändern
Current password	Aktuelles Passwort
New password	Neues Passwort
New password again	Neues Passwort wiederholen
Password changed. Your other sessions have ended.	Passwort geändert. Ihre anderen Sitzungen sind beendet.
Every session of {name} ends now.	Alle Sitzungen von {name} enden jetzt.
{name} saved.	{name} gespeichert.
Save	Speichern
Set password	Passwort setzen
Name and email	Name und E-Mail
Take off this partner	Vom Partner entfernen
Enable login	Anmeldung erlauben
Disable login	Anmeldung sperren
Remove admin rights	Adminrechte entziehen
Make admin	Zum Admin machen
End all sessions	Alle Sitzungen beenden
Login	Anmeldung
The account stays.	Das Konto bleibt bestehen.
This login is disabled.	Diese Anmeldung ist gesperrt.
This password is wrong.	Dieses Passwort ist falsch.
The last enabled admin must stay one.	Der letzte aktive Admin muss es bleiben.
`.split('\n').filter(Boolean).map((line) => line.split('\t')));
