//! Embedded reference data: hosting/VPS and Microsoft ASN lists (dated, with sources),
//! first-party application ids, country centroids.
