/*
 * list.h - intrusive circular doubly linked lists.
 *
 *   struct thread { struct list_node rq; ... };
 *   struct list runq;  list_init(&runq);  list_push_back(&runq, &t->rq);
 *   list_for_each(&runq, n) { struct thread *t = container_of(n, struct thread, rq); ... }
 */
#ifndef CORE_LIB_LIST_H
#define CORE_LIB_LIST_H

#include <stdbool.h>
#include <stddef.h>

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

struct list_node {
    struct list_node *next, *prev;
};

struct list {
    struct list_node head;
};

static inline void list_init(struct list *l)
{
    l->head.next = l->head.prev = &l->head;
}

/* A node not on any list points at itself, so list_node_linked() can tell. */
static inline void list_node_init(struct list_node *n)
{
    n->next = n->prev = n;
}

static inline bool list_node_linked(const struct list_node *n)
{
    return n->next != n;
}

static inline bool list_empty(const struct list *l)
{
    return l->head.next == &l->head;
}

static inline void list_insert_between(struct list_node *n, struct list_node *prev,
                                       struct list_node *next)
{
    n->prev = prev;
    n->next = next;
    prev->next = n;
    next->prev = n;
}

static inline void list_push_back(struct list *l, struct list_node *n)
{
    list_insert_between(n, l->head.prev, &l->head);
}

static inline void list_push_front(struct list *l, struct list_node *n)
{
    list_insert_between(n, &l->head, l->head.next);
}

/* Insert n before pos (pos may be the list head, meaning "at the back"). */
static inline void list_insert_before(struct list_node *pos, struct list_node *n)
{
    list_insert_between(n, pos->prev, pos);
}

static inline void list_remove(struct list_node *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    list_node_init(n);
}

static inline struct list_node *list_first(const struct list *l)
{
    return list_empty(l) ? NULL : l->head.next;
}

static inline struct list_node *list_last(const struct list *l)
{
    return list_empty(l) ? NULL : l->head.prev;
}

static inline struct list_node *list_pop_front(struct list *l)
{
    struct list_node *n = list_first(l);
    if (n)
        list_remove(n);
    return n;
}

/* Number of nodes: O(n). */
static inline size_t list_length(const struct list *l)
{
    size_t n = 0;
    for (const struct list_node *p = l->head.next; p != &l->head; p = p->next)
        n++;
    return n;
}

#define list_for_each(l, n) for (struct list_node *n = (l)->head.next; n != &(l)->head; n = n->next)

/* Safe against removal of the current node. */
#define list_for_each_safe(l, n, tmp)                                                       \
    for (struct list_node *n = (l)->head.next, *tmp = n->next; n != &(l)->head;            \
         n = tmp, tmp = n->next)

#endif
